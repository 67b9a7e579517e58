// Uptime arithmetic on hand-made incident sets: windows, overlaps, ongoing incidents, time nobody watched; and
// the ledger that merges the database's history with this run's own incidents.
import Foundation
import Testing
@testable import Uptime
import Storage

@Suite struct UptimeTests {
    let now = Date(timeIntervalSince1970: 1_795_986_000)
    let hour = 3600.0
    var day: Double { UptimeCalculation.day }

    func ago(_ hours: Double) -> Date { now.addingTimeInterval(-hours * hour) }

    func uptime(_ window: Double, watchedSince: Date? = nil, _ incidents: [(down: Date, up: Date?)],
                gaps: [(from: Date, until: Date)] = []) -> Double? {
        UptimeCalculation.percent(window: window, now: now, watchedSince: watchedSince ?? now.addingTimeInterval(-90 * day),
                                  incidents: incidents, gaps: gaps)
    }

    @Test func noIncidentsIsAHundredPercent() {
        #expect(uptime(day, []) == 100)
    }

    @Test func oneHourDownInTheLastDayIs23Of24() throws {
        let value = try #require(uptime(day, [(ago(5), ago(4))]))
        #expect(abs(value - 100 * 23 / 24) < 1e-9)
    }

    @Test func anIncidentThatBeganBeforeTheWindowCountsOnlyInside() throws {
        // Down from 30 h ago to 23 h ago: 1 h of it falls into the last 24 h.
        let value = try #require(uptime(day, [(ago(30), ago(23))]))
        #expect(abs(value - 100 * 23 / 24) < 1e-9)
        // Over 7 days the whole 7 h count.
        let week = try #require(uptime(7 * day, [(ago(30), ago(23))]))
        #expect(abs(week - 100 * (168 - 7) / 168) < 1e-9)
    }

    @Test func anOngoingIncidentCountsUntilNow() throws {
        let value = try #require(uptime(day, [(ago(6), nil)]))
        #expect(abs(value - 75) < 1e-9)
    }

    @Test func overlappingIncidentsCountOnce() throws {
        let value = try #require(uptime(day, [(ago(10), ago(8)), (ago(9), ago(7)), (ago(8.5), ago(8.2))]))
        #expect(abs(value - 100 * 21 / 24) < 1e-9)
    }

    @Test func timeNobodyWatchedCountsNeitherUpNorDown() throws {
        // 6 h gap; 1 h incident outside it: 1 h down out of 18 h watched.
        let outside = try #require(uptime(day, [(ago(3), ago(2))], gaps: [(ago(12), ago(6))]))
        #expect(abs(outside - 100 * 17 / 18) < 1e-9)
        // A 2 h incident half inside the gap: only the watched hour counts.
        let across = try #require(uptime(day, [(ago(7), ago(5))], gaps: [(ago(12), ago(6))]))
        #expect(abs(across - 100 * 17 / 18) < 1e-9)
        // Overlapping gaps count once.
        let twice = try #require(uptime(day, [], gaps: [(ago(12), ago(6)), (ago(8), ago(4))]))
        #expect(twice == 100)
    }

    @Test func timeBeforeTheCheckExistedIsNotWatched() throws {
        // Watched for 2 h, down 30 min of them.
        let value = try #require(uptime(day, watchedSince: ago(2), [(ago(1), ago(0.5))]))
        #expect(abs(value - 75) < 1e-9)
        // The 7 d and 30 d figures are the same 2 h.
        #expect(uptime(30 * day, watchedSince: ago(2), [(ago(1), ago(0.5))]) == value)
    }

    @Test func aWindowNobodyWatchedHasNoFigure() {
        #expect(uptime(day, [], gaps: [(ago(48), now)]) == nil)
        #expect(uptime(day, watchedSince: now, []) == nil)
        #expect(uptime(day, watchedSince: now.addingTimeInterval(60), []) == nil)
    }

    @Test func downAllTheWatchedTimeIsZero() {
        #expect(uptime(day, watchedSince: ago(3), [(ago(5), nil)]) == 0)
    }

    @Test func spansSubtractAcrossSeveralHoles() {
        let spans = TimeSpans([(start: 0, end: 100)])
        let holes = TimeSpans([(start: 10, end: 20), (start: 30, end: 40), (start: 90, end: 200)])
        #expect(spans.subtracting(holes) == TimeSpans([(start: 0, end: 10), (start: 20, end: 30), (start: 40, end: 90)]))
        #expect(spans.subtracting(holes).length == 70)
        #expect(TimeSpans([(start: 5, end: 1)]).length == 0, "a reversed span is empty")
    }

    @Test func theLedgerMergesTheDatabaseWithThisRunsOwnIncidents() throws {
        let ledger = UptimeLedger(domains: ["nas.lan", "tv.lan"], started: ago(1))
        // This run saw nas.lan go down 30 min ago and come back 15 min ago, before the database was reached.
        ledger.recordOpened(domain: "nas.lan", downDetection: ago(0.5))
        ledger.recordClosed(domain: "nas.lan", upDetection: ago(0.25))
        // Before the database: watched since start (1 h), 15 min down.
        var figures = ledger.figures([(0, nil), (1, nil)], now: now)
        #expect(figures[0].uptime24h.map { abs($0 - 75) < 1e-9 } == true)
        #expect(figures[1].uptime24h == 100)
        // The database knows both checks since 10 h ago, an older nas.lan incident of 1 h, and still has this
        // run's incident as ongoing (its close is still in the journal).
        let history = StoredHistory(
            watchedSince: [1: ago(10), 2: ago(10)],
            incidents: [Incident(id: 1, checkID: 1, description: "old", downDetection: ago(5), upDetection: ago(4)),
                        Incident(id: 2, checkID: 1, description: "x", downDetection: ago(0.5), upDetection: nil)],
            gaps: [MonitorGap(from: ago(8), until: ago(6), reason: "stopped")])
        ledger.load(history, ids: ["nas.lan": 1, "tv.lan": 2])
        figures = ledger.figures([(0, nil), (1, nil)], now: now)
        // Watched 10 h − 2 h gap = 8 h; down 1 h + 15 min.
        #expect(figures[0].uptime24h.map { abs($0 - 100 * (8 - 1.25) / 8) < 1e-9 } == true)
        #expect(figures[1].uptime24h == 100)
    }

    @Test func aDownHostShowsHowLongItsIncidentHasLasted() {
        let ledger = UptimeLedger(domains: ["nas.lan"], started: ago(1))
        let since = now.addingTimeInterval(-312.5)
        #expect(ledger.figures([(0, since)], now: now)[0].downForSeconds == 312.5)
        #expect(ledger.figures(position: 0, downSince: since, now: now).downForSeconds == 312.5)
        #expect(ledger.figures([(0, nil)], now: now)[0].downForSeconds == nil)
    }

    @Test func maintenanceWindowsCountNeitherForNorAgainstUptime() {
        // Maintenance from 2 h ago to 1 h ago; the host was down for the last 90 minutes, 30 of them in the window.
        let window = DateInterval(start: ago(2), end: ago(1))
        let ledger = UptimeLedger(domains: ["nas.lan", "tv.lan"], maintenance: [{ from, until in
            [window].filter { $0.end > from && $0.start < until }
        }], started: ago(4))
        ledger.recordOpened(domain: "nas.lan", downDetection: ago(1.5))
        ledger.recordOpened(domain: "tv.lan", downDetection: ago(1.5))
        let figures = ledger.figures([(0, ago(1.5)), (1, ago(1.5))], now: now)
        // nas.lan: watched 4 h − 1 h of maintenance = 3 h, down 1 h of it. tv.lan has no window: down 1.5 h of 4.
        #expect(figures[0].uptime24h.map { abs($0 - 100 * 2 / 3) < 1e-9 } == true, "\(figures[0])")
        #expect(figures[1].uptime24h.map { abs($0 - 100 * 2.5 / 4) < 1e-9 } == true, "\(figures[1])")
    }

    @Test func aReloadAddsHostsAndLeavesOutTheTimeAHostWasRemoved() {
        let ledger = UptimeLedger(domains: ["nas.lan"], started: ago(4))
        // Removed 3 h ago, added back 1 h ago; a new host from then on.
        ledger.watch([], retired: [0], at: ago(3))
        ledger.watch([LedgerHost(position: 0, domain: "nas.lan"), LedgerHost(position: 1, domain: "new.lan")],
                     retired: [], at: ago(1))
        ledger.recordOpened(domain: "new.lan", downDetection: ago(0.5))
        ledger.recordOpened(domain: "nas.lan", downDetection: ago(0.5))
        let figures = ledger.figures([(1, ago(0.5)), (0, ago(0.5))], now: now)
        // new.lan: watched 1 h, down 30 min. nas.lan: watched 4 h − 2 h removed = 2 h, down 30 min.
        #expect(figures[0].uptime24h.map { abs($0 - 50) < 1e-9 } == true, "\(figures[0])")
        #expect(figures[1].uptime24h.map { abs($0 - 75) < 1e-9 } == true, "\(figures[1])")
    }
}
