// Maintenance windows in time: wrapping past midnight and the week's end, start inclusive and end exclusive,
// occurrences and merged spans, daylight-saving changes against a brute-force reference, TZ values, and speed.
import Foundation
import Testing
@testable import Monitor

extension MaintenanceWindowTests {
    private func seconds(_ text: String) throws -> Int { Int(try Date(text, strategy: .iso8601).timeIntervalSince1970) }
    private func date(_ seconds: Int) -> Date { Date(timeIntervalSince1970: Double(seconds)) }
    private func spans(_ list: [(String, String)]) throws -> [DateInterval] {
        try list.map { DateInterval(start: try Date($0.0, strategy: .iso8601), end: try Date($0.1, strategy: .iso8601)) }
    }
    private func parse(_ text: String, _ zone: TimeZone) throws -> MaintenanceWindow {
        try MaintenanceWindow.parse(text, timeZone: zone)
    }

    @Test func weeklyWindowCrossingMidnightRunsIntoMonday() throws {
        let window = try parse("Sun 23:00-01:00", utc)
        #expect(window.contains(date(try seconds("2026-01-04T23:00:00Z"))), "the start is inside")
        #expect(window.contains(date(try seconds("2026-01-05T00:30:00Z"))), "Monday 00:30")
        #expect(!window.contains(date(try seconds("2026-01-05T01:00:00Z"))), "Monday 01:00: the end is outside")
        #expect(!window.contains(date(try seconds("2026-01-04T22:59:59Z"))))
        #expect(!window.contains(date(try seconds("2026-01-06T00:30:00Z"))), "Tuesday 00:30")
        #expect(window.end(ofOccurrenceContaining: date(try seconds("2026-01-05T00:30:00Z")))
            == date(try seconds("2026-01-05T01:00:00Z")))
        #expect(window.end(ofOccurrenceContaining: date(try seconds("2026-01-05T01:00:00Z"))) == nil)
    }

    @Test func weeklyWindowWrapsFromSaturdayIntoSunday() throws {
        let window = try parse("Sat 23:00-01:00", utc)
        #expect(window.contains(date(try seconds("2026-01-11T00:30:00Z"))), "Sunday 00:30, the next week")
        #expect(window.contains(date(try seconds("2026-01-10T23:00:00Z"))))
        #expect(!window.contains(date(try seconds("2026-01-11T01:00:00Z"))))
        #expect(!window.contains(date(try seconds("2026-01-09T23:30:00Z"))), "Friday")
        #expect(!window.contains(date(try seconds("2026-01-12T00:30:00Z"))), "Monday")
    }

    @Test func dailyWindowCrossesMidnight() throws {
        let window = try parse("daily 23:30-00:30", utc)
        for inside in ["2026-01-07T23:30:00Z", "2026-01-08T00:00:00Z", "2026-01-08T00:29:59Z"] {
            #expect(window.contains(date(try seconds(inside))), "\(inside)")
        }
        #expect(window.contains(Date(timeIntervalSince1970: Double(try seconds("2026-01-08T00:30:00Z")) - 0.001)))
        for outside in ["2026-01-08T00:30:00Z", "2026-01-08T12:00:00Z", "2026-01-07T23:29:59Z"] {
            #expect(!window.contains(date(try seconds(outside))), "\(outside)")
        }
        #expect(window.end(ofOccurrenceContaining: date(try seconds("2026-01-07T23:45:00Z")))
            == date(try seconds("2026-01-08T00:30:00Z")))
    }

    @Test func absoluteWindowIsStartInclusiveEndExclusive() throws {
        let berlin = try zone("Europe/Berlin")
        for text in ["2026-12-24T18:00/2026-12-26T12:00", "2026-12-24T17:00Z/2026-12-26T13:00+02:00"] {
            let window = try parse(text, berlin)
            #expect(!window.contains(date(try seconds("2026-12-24T16:59:59Z"))), "\(text)")
            #expect(window.contains(date(try seconds("2026-12-24T17:00:00Z"))), "\(text)")
            #expect(window.contains(date(try seconds("2026-12-26T10:59:59Z"))), "\(text)")
            #expect(!window.contains(date(try seconds("2026-12-26T11:00:00Z"))), "\(text)")
            #expect(window.end(ofOccurrenceContaining: date(try seconds("2026-12-25T00:00:00Z")))
                == date(try seconds("2026-12-26T11:00:00Z")))
            #expect(window.occurrences(from: date(try seconds("2026-12-26T00:00:00Z")), until: date(try seconds("2027-01-01T00:00:00Z")))
                == (try spans([("2026-12-26T00:00:00Z", "2026-12-26T11:00:00Z")])), "clipped to the period")
        }
    }

    @Test func occurrencesOverAWeekAreClippedAndInOrder() throws {
        let (monday, nextMonday) = (date(try seconds("2026-01-05T00:00:00Z")), date(try seconds("2026-01-12T00:00:00Z")))
        let daily = try parse("daily 23:30-00:30", utc).occurrences(from: monday, until: nextMonday)
        #expect(daily.count == 8)
        #expect(daily.first == (try spans([("2026-01-05T00:00:00Z", "2026-01-05T00:30:00Z")])).first, "begun on Sunday, clipped")
        #expect(daily.dropFirst().first == (try spans([("2026-01-05T23:30:00Z", "2026-01-06T00:30:00Z")])).first)
        #expect(daily.last == (try spans([("2026-01-11T23:30:00Z", "2026-01-12T00:00:00Z")])).first, "clipped at the end")
        #expect(daily.reduce(0) { $0 + $1.duration } == 7 * 3600)
        #expect(zip(daily, daily.dropFirst()).allSatisfy { $0.end < $1.start })
        #expect(try parse("Sun 23:00-01:00", utc).occurrences(from: monday, until: nextMonday)
            == (try spans([("2026-01-05T00:00:00Z", "2026-01-05T01:00:00Z"), ("2026-01-11T23:00:00Z", "2026-01-12T00:00:00Z")])))
        #expect(try parse("Wed 02:00-04:00", utc).occurrences(from: monday, until: date(try seconds("2026-01-19T00:00:00Z")))
            == (try spans([("2026-01-07T02:00:00Z", "2026-01-07T04:00:00Z"), ("2026-01-14T02:00:00Z", "2026-01-14T04:00:00Z")])))
        #expect(try parse("Wed 02:00-04:00", utc).occurrences(from: nextMonday, until: monday).isEmpty)
    }

    @Test func calendarMergesOverlappingWindows() throws {
        let calendar = MaintenanceCalendar(try ["Sun 02:00-04:00", "Sun 03:00-05:00", "Sun 05:00-06:00", "daily 12:00-13:00",
                                                "2026-01-07T12:30Z/2026-01-07T14:00Z"].map { try parse($0, utc) })
        let week = calendar.occurrences(from: date(try seconds("2026-01-05T00:00:00Z")), until: date(try seconds("2026-01-12T00:00:00Z")))
        #expect(week == (try spans([
            ("2026-01-05T12:00:00Z", "2026-01-05T13:00:00Z"), ("2026-01-06T12:00:00Z", "2026-01-06T13:00:00Z"),
            ("2026-01-07T12:00:00Z", "2026-01-07T14:00:00Z"), ("2026-01-08T12:00:00Z", "2026-01-08T13:00:00Z"),
            ("2026-01-09T12:00:00Z", "2026-01-09T13:00:00Z"), ("2026-01-10T12:00:00Z", "2026-01-10T13:00:00Z"),
            ("2026-01-11T02:00:00Z", "2026-01-11T06:00:00Z"), ("2026-01-11T12:00:00Z", "2026-01-11T13:00:00Z"),
        ])))
        #expect(calendar.contains(date(try seconds("2026-01-11T04:30:00Z"))))
        #expect(!calendar.contains(date(try seconds("2026-01-11T06:00:00Z"))))
        #expect(!MaintenanceCalendar().contains(date(try seconds("2026-01-11T04:30:00Z"))))
    }

    // MARK: Daylight saving

    @Test func springForwardShortensBerlinWindowToOneHour() throws {
        let window = try parse("Sun 02:00-04:00", try zone("Europe/Berlin"))
        #expect(!window.contains(date(try seconds("2026-03-29T00:59:59Z"))), "01:59:59 CET")
        #expect(window.contains(date(try seconds("2026-03-29T01:00:00Z"))), "03:00 CEST, the first instant past 02:00")
        #expect(!window.contains(date(try seconds("2026-03-29T02:00:00Z"))), "04:00 CEST")
        #expect(window.occurrences(from: date(try seconds("2026-03-28T00:00:00Z")), until: date(try seconds("2026-03-30T00:00:00Z")))
            == (try spans([("2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z")])))
        #expect(window.occurrence(containing: date(try seconds("2026-03-22T02:30:00Z")))?.duration == 7200, "a week before")
    }

    @Test func fallBackLengthensBerlinWindowToThreeHours() throws {
        let window = try parse("Sun 02:00-04:00", try zone("Europe/Berlin"))
        #expect(!window.contains(date(try seconds("2026-10-24T23:59:59Z"))), "01:59:59 CEST")
        #expect(window.contains(date(try seconds("2026-10-25T00:00:00Z"))), "the first 02:00, CEST")
        #expect(window.contains(date(try seconds("2026-10-25T01:30:00Z"))), "the second 02:30, CET")
        #expect(window.contains(date(try seconds("2026-10-25T02:59:59Z"))))
        #expect(!window.contains(date(try seconds("2026-10-25T03:00:00Z"))), "04:00 CET")
        #expect(window.occurrences(from: date(try seconds("2026-10-24T00:00:00Z")), until: date(try seconds("2026-10-26T00:00:00Z")))
            == (try spans([("2026-10-25T00:00:00Z", "2026-10-25T03:00:00Z")])))
    }

    @Test func newYorkDailyWindowAcrossMidnightOnDSTChangeDays() throws {
        let window = try parse("daily 23:00-03:00", try zone("America/New_York"))
        // 2026-03-08 02:00 EST → 03:00 EDT: Saturday 23:00 EST (04:00Z) to Sunday 03:00 EDT (07:00Z), three hours.
        #expect(window.occurrence(containing: date(try seconds("2026-03-08T05:00:00Z")))
            == (try spans([("2026-03-08T04:00:00Z", "2026-03-08T07:00:00Z")])).first)
        #expect(window.contains(date(try seconds("2026-03-08T06:59:59Z"))))
        #expect(!window.contains(date(try seconds("2026-03-08T07:00:00Z"))))
        // 2026-11-01 02:00 EDT → 01:00 EST: Saturday 23:00 EDT (03:00Z) to Sunday 03:00 EST (08:00Z), five hours.
        #expect(window.occurrence(containing: date(try seconds("2026-11-01T06:30:00Z")))
            == (try spans([("2026-11-01T03:00:00Z", "2026-11-01T08:00:00Z")])).first, "06:30Z is the second 01:30")
        #expect(!window.contains(date(try seconds("2026-11-01T08:00:00Z"))))
        #expect(window.occurrence(containing: date(try seconds("2026-11-02T05:00:00Z")))?.duration == 4 * 3600, "the day after")
    }

    @Test func absoluteLocalTimesAtDSTChangesUseTheFirstInstant() throws {
        let berlin = try zone("Europe/Berlin")
        #expect(try parse("2026-10-25T02:30/2026-10-25T03:00", berlin).schedule
            == .once(start: date(try seconds("2026-10-25T00:30:00Z")), end: date(try seconds("2026-10-25T02:00:00Z"))))
        #expect(try parse("2026-03-29T02:30/2026-03-29T04:00", berlin).schedule
            == .once(start: date(try seconds("2026-03-29T01:00:00Z")), end: date(try seconds("2026-03-29T02:00:00Z"))))
    }

    /// Occurrences by the definition, scanning minute by minute for the first instant the clock reaches a time.
    private func reference(_ window: MaintenanceWindow, days: ClosedRange<Int>) -> [(start: Int, end: Int)] {
        var utcCalendar = Calendar(identifier: .gregorian)
        utcCalendar.timeZone = utc
        func first(_ local: Int) -> Int {
            var t = local - 15 * 3600
            while t + window.timeZone.secondsFromGMT(for: date(t)) < local { t += 60 }
            return t
        }
        return days.compactMap { day in
            let (start, end): (Int, Int)
            switch window.schedule {
            case .daily(let s, let e): (start, end) = (s, e)
            case .weekly(let weekday, let s, let e):
                guard utcCalendar.component(.weekday, from: date(day * 86_400)) == weekday else { return nil }
                (start, end) = (s, e)
            case .once: return nil
            }
            let bounds = (first(day * 86_400 + start * 60), first((end > start ? day : day + 1) * 86_400 + end * 60))
            return bounds.0 < bounds.1 ? bounds : nil
        }
    }

    @Test(arguments: ["Europe/Berlin", "America/New_York", "America/Santiago", "Australia/Lord_Howe"])
    func containsAgreesWithABruteForceReferenceAroundDSTChanges(_ identifier: String) throws {
        let zone = try zone(identifier)
        var transitions: [Int] = []
        var after = date(try seconds("2026-01-01T00:00:00Z"))
        while transitions.count < 2, let next = zone.nextDaylightSavingTimeTransition(after: after) {
            transitions.append(Int(next.timeIntervalSince1970))
            after = next
        }
        #expect(transitions.count == 2)
        for text in ["Sun 02:00-04:00", "Sun 01:00-02:30", "daily 02:30-03:30", "daily 23:00-03:00", "Sat 23:30-02:15",
                     "daily 00:00-01:00", "daily 23:45-00:15"] {
            let window = try parse(text, zone)
            for transition in transitions {
                let (from, until) = (transition - 4 * 86_400, transition + 4 * 86_400)
                let expected = reference(window, days: (from / 86_400 - 2)...(until / 86_400 + 1))
                let probes = Array(stride(from: from, to: until, by: 300)) + expected.flatMap { [$0.start - 1, $0.start, $0.end - 1, $0.end] }
                for t in probes where t >= from && t < until {
                    let hit = expected.first { $0.start <= t && t < $0.end }
                    #expect(window.end(ofOccurrenceContaining: date(t)) == hit.map { date($0.end) }, "\(text) at \(date(t))")
                    #expect(window.contains(date(t)) == (hit != nil), "\(text) at \(date(t))")
                }
                let clipped = expected.compactMap { span -> DateInterval? in
                    let (start, end) = (max(span.start, from), min(span.end, until))
                    return start < end ? DateInterval(start: date(start), end: date(end)) : nil
                }
                #expect(window.occurrences(from: date(from), until: date(until)) == clipped, "\(text) around \(date(transition))")
            }
        }
    }

    @Test func timeZoneFromTZ() throws {
        let berlin = try zone("Europe/Berlin")
        #expect(MaintenanceWindow.timeZone(fromTZ: nil) == utc)
        #expect(MaintenanceWindow.timeZone(fromTZ: "") == utc)
        #expect(MaintenanceWindow.timeZone(fromTZ: "UTC") == utc)
        #expect(MaintenanceWindow.timeZone(fromTZ: "GMT") == utc)
        #expect(MaintenanceWindow.timeZone(fromTZ: ":Europe/Berlin") == berlin)
        #expect(MaintenanceWindow.timeZone(fromTZ: "Europe/Berlin") == berlin)
        #expect(MaintenanceWindow.timeZone(fromTZ: ":/usr/share/zoneinfo/Europe/Berlin") == berlin)
        #expect(MaintenanceWindow.timeZone(fromTZ: "Nowhere/Nothing") == nil)
    }

    /// Not asserted: prints the cost of 100,000 `contains` calls (the monitor asks on every ping).
    @Test func containsIsFast() throws {
        let start = try seconds("2026-01-01T00:00:00Z")
        for (label, zone) in [("UTC", utc), ("Europe/Berlin", try zone("Europe/Berlin"))] {
            let window = try parse("Sun 02:00-04:00", zone)
            let dates = (0..<100_000).map { date(start + $0 * 317) }  // 367 days, DST changes included
            let clock = ContinuousClock()
            var inside = 0
            let elapsed = clock.measure { for date in dates where window.contains(date) { inside += 1 } }
            print("MaintenanceWindow.contains, \(label): 100,000 calls in \(elapsed) (\(inside) inside)")
            #expect(inside > 0)
        }
    }
}
