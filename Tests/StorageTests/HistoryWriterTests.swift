// The history's storage side: downsampling keeps counts, min and max exact (an hour's row is its steps' rows
// merged, pieces of several runs included); a run's spooled pings survive the run and come back as its rows.
import Foundation
import History
import Logging
import Testing
import Platform
import TestSupport
@testable import Storage

@Suite struct HistoryWriterTests {
    static func directory() -> String {
        let path = NSTemporaryDirectory() + "status-history-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func rollup(_ rtts: [Double?]) -> PingRollup {
        var rollup = PingRollup()
        for rtt in rtts { if let rtt { rollup.reply(rtt) } else { rollup.loss() } }
        return rollup
    }

    @Test func anHoursRowIsItsStepsRowsMergedWithCountsMinAndMaxExact() throws {
        let store = InMemoryHistoryStore()
        let ids = try store.checkIDs(domains: ["a.test", "b.test"])
        let hour: Int64 = 1_796_180_400
        var generator = SystemRandomNumberGenerator()
        var expected: [Int64: PingRollup] = [:]
        var rows: [HistoryRow] = []
        for (_, id) in ids {
            for minute in 0..<60 {
                // Two runs' pieces of minute 30 (a restart cut it), one piece of the others.
                for run in (minute == 30 ? [Int64(7), 8] : [7]) {
                    let rtts: [Double?] = (0..<30).map { _ in
                        Int.random(in: 0..<10, using: &generator) == 0 ? nil : Double.random(in: 0.2...80, using: &generator)
                    }
                    let piece = Self.rollup(rtts)
                    expected[id, default: PingRollup()].merge(piece)
                    rows.append(HistoryRow(checkID: id, resolution: 60, stepStart: hour + Int64(minute) * 60, run: run,
                                           sent: piece.sent, rollup: piece.encoded))
                }
            }
        }
        // A row of the next hour must not leak in.
        rows.append(HistoryRow(checkID: 1, resolution: 60, stepStart: hour + 3600, run: 7, sent: 1,
                               rollup: Self.rollup([1]).encoded))
        try store.writeHistory(rows)
        let settings = HistorySettings(ladder: HistoryLadder(step: 60), directory: Self.directory(), spoolLimit: 1 << 20,
                                       grace: 1)
        let writer = try HistoryWriter(store: InMemoryHistoryStore(), settings: settings, run: 9, logger: Logger(minimumLevel: .error))
        try writer.mergeWindow(level: 1, from: hour, checks: Array(ids.values), store)
        let hourly = try store.historyRows(checkIDs: Array(ids.values), resolution: 3600, from: hour, until: hour + 3600)
        #expect(hourly.count == 2)
        for row in hourly {
            let merged = try #require(PingRollup(encoded: row.rollup))
            let want = try #require(expected[row.checkID])
            #expect(merged.sent == want.sent && merged.replies == want.replies)
            #expect(merged.minimum == want.minimum && merged.maximum == want.maximum)
            #expect(merged.sketch == want.sketch)
            #expect(row.run == 0 && row.sent == want.sent)
        }
    }

    /// A step due to close waits for the spool's next wake-up for pings (the next round's, at a 30 s interval),
    /// so closing it costs no wake-up of its own; with no ping coming, it closes on its own `closeLeeway` late.
    @Test func aClosingStepWaitsForTheNextPingsWakeUpAtMostItsLeeway() throws {
        var settings = HistorySettings(ladder: HistoryLadder(step: 10), directory: Self.directory(), spoolLimit: 1 << 20,
                                       grace: 0.2)
        settings.closeLeeway = 2.5
        let writer = try HistoryWriter(store: InMemoryHistoryStore(), settings: settings, run: 3,
                                       logger: Logger(minimumLevel: .error))
        writer.watch([(0, "a.test")])
        writer.start()
        func until(_ time: Double) { Thread.sleep(forTimeInterval: max(time - Date().timeIntervalSince1970, 0)) }
        func now() -> Double { Date().timeIntervalSince1970 }
        if now().truncatingRemainder(dividingBy: 10) > 8 { until((now() / 10).rounded(.up) * 10 + 0.1) }
        let end = (now() / 10).rounded(.up) * 10  // the step of this ping ends then
        writer.recorder.record(place: 0, sentAt: Date(), rttMilliseconds: 1.5)
        // No ping comes after it: its step closes on its own, 0.2 + 2.5 s after its end.
        until(end + 2.4)
        #expect(writer.figures.rowsWritten == 0, "due 0.2 s after its end, it waits for pings up to its leeway")
        #expect(waitUntil(timeout: 5) { writer.figures.rowsWritten == 1 })
        #expect(now() - end < 4, "closed at its leeway's end (2.7 s after the step's)")
        // A ping in the next step, then one a second after that step's end: it closes in that ping's wake-up.
        writer.recorder.record(place: 0, sentAt: Date(), rttMilliseconds: 2.5)
        until(end + 11)
        #expect(writer.figures.rowsWritten == 1, "due 0.8 s ago, it waits for the next pings' wake-up")
        writer.recorder.record(place: 0, sentAt: Date(), rttMilliseconds: 3.5)
        #expect(waitUntil(timeout: 5) { writer.figures.rowsWritten == 2 })
        #expect(now() - end - 10 < 2.2, "closed in the pings' wake-up, not at its leeway's end (2.7 s)")
        _ = writer.flush(timeout: 2)
    }

    /// Once a pass has merged what was due, the next ones ask the database nothing until a window can be due by
    /// what it read (another probe's merging only leaves less to do); one that may have something to do reads again.
    @Test func aMaintenancePassWithNothingDueAsksTheDatabaseNothing() throws {
        let store = InMemoryHistoryStore()
        _ = try store.checkIDs(domains: ["a.test"])
        let settings = HistorySettings(ladder: HistoryLadder(step: 60), directory: Self.directory(),
                                       spoolLimit: 1 << 20, grace: 1)
        let writer = try HistoryWriter(store: store, settings: settings, run: 3, logger: Logger(minimumLevel: .error))
        func pass() { writer.session.sync { session in writer.maintainIfDue(session, early: 3600) } }
        pass()
        #expect(store.progressReads.load(ordering: .relaxed) == 1, "the first pass reads where merging stands")
        let merged = try store.historyProgress()
        #expect(merged[3600] != nil && merged[86_400] != nil)
        pass()
        pass()
        #expect(store.progressReads.load(ordering: .relaxed) == 2, "nothing due: no read (one above, by the test)")
        // As if an hour had passed since the last reading: a window may be due, so the pass reads again.
        writer.session.sync { session in session.progress?[3600] = (merged[3600] ?? 0) - 7200 }
        pass()
        #expect(store.progressReads.load(ordering: .relaxed) == 3)
        #expect(try store.historyProgress() == merged, "the database said the hours were merged: nothing to redo")
        pass()
        #expect(store.progressReads.load(ordering: .relaxed) == 4, "read back once more by the test, not by a pass")
    }

    /// A pass may ride a step's write only when it is due within that step, and only once the passes are caught up:
    /// at a 10 s step and a 60 s interval, passes stay about a minute apart instead of running (with the expiry's
    /// DELETEs) at every step's write.
    @Test func aMaintenancePassRidesAStepsWriteOnlyWhenDueWithinTheStep() throws {
        let store = InMemoryHistoryStore()
        _ = try store.checkIDs(domains: ["a.test"])
        var settings = HistorySettings(ladder: HistoryLadder(step: 10), directory: Self.directory(),
                                       spoolLimit: 1 << 20, grace: 1)
        settings.maintenanceInterval = 60
        let writer = try HistoryWriter(store: store, settings: settings, run: 3, logger: Logger(minimumLevel: .error))
        /// Runs a step write's maintenance check, as the database timer's handler does, with the pass due `seconds`
        /// from now; true if a pass ran.
        func stepWrite(dueIn seconds: Double, caughtUp: Bool = true) -> Bool {
            writer.session.sync { session in
                let due = MonotonicInstant.after(seconds: seconds)
                session.nextMaintenance = due
                session.caughtUp = caughtUp
                writer.maintainIfDue(session, early: writer.maintenanceEarly(session))
                return session.nextMaintenance != due
            }
        }
        #expect(!stepWrite(dueIn: 5, caughtUp: false), "behind: passes keep their own timer, a second apart")
        #expect(stepWrite(dueIn: 5), "due before the next step's write: it runs in this one")
        #expect(stepWrite(dueIn: 8.5))
        #expect(!stepWrite(dueIn: 10), "the next step's write is nearer")
        #expect(!stepWrite(dueIn: 30))
        #expect(!stepWrite(dueIn: 55))
    }

    @Test func aRowWrittenAgainKeepsTheOneWithMorePings() throws {
        let store = InMemoryHistoryStore()
        let full = HistoryRow(checkID: 1, resolution: 60, stepStart: 0, run: 1, sent: 60, rollup: [1])
        let older = HistoryRow(checkID: 1, resolution: 60, stepStart: 0, run: 1, sent: 20, rollup: [2])
        try store.writeHistory([full])
        try store.writeHistory([older])
        #expect(store.allRows == [full])
    }

    @Test func aKilledRunsSpooledPingsComeBackAsItsRowsAtTheNextStart() throws {
        let directory = Self.directory()
        let step: Int64 = 1_796_180_400
        do {
            let spool = try HistorySpool(directory: directory, run: 1, resolution: 60)
            try spool.watch([(0, "a.test"), (1, "b.test")])
            var bytes: [UInt8] = []
            for rtt in [10.0, 12.0, nil, 11.0] { HistorySpool.record(place: 0, rttMilliseconds: rtt, into: &bytes) }
            HistorySpool.record(place: 1, rttMilliseconds: 0.5, into: &bytes)
            try spool.append(step: step, bytes)
            bytes.removeAll()
            HistorySpool.record(place: 0, rttMilliseconds: 13, into: &bytes)
            bytes.append(0xFF)  // a torn record: the kill came mid-write
            try spool.append(step: step, bytes)
        }  // killed: nothing closed
        let next = try HistorySpool(directory: directory, run: 2, resolution: 60)
        var problems: [String] = []
        let left = try next.recover(problems: &problems)
        #expect(problems.isEmpty)
        #expect(left.map(\.run) == [1] && left.map(\.stepStart) == [step])
        let rows = try HistorySpool.rows(try #require(left.first), in: directory)
        let byDomain = Dictionary(uniqueKeysWithValues: rows.rows.compactMap { row in
            PingRollup(encoded: row.rollup).map { (row.domain, $0) }
        })
        #expect(byDomain.count == rows.rows.count && rows.rows.allSatisfy { byDomain[$0.domain]?.sent == $0.sent })
        #expect(byDomain["a.test"] == Self.rollup([10, 12, nil, 11, 13].map { $0.map { Double(Float($0)) } }))
        #expect(byDomain["b.test"]?.sent == 1 && byDomain["b.test"]?.replies == 1)
        #expect(rows.run == 1 && rows.resolution == 60)
        #expect(try Files.list(directory).filter { $0.hasSuffix(".pings") }.isEmpty)
    }

    @Test func aClosedStepsRowsGoInMemoryAndReachADotRowsFileOnlyWhenSpilled() throws {
        let directory = Self.directory()
        let step: Int64 = 1_796_180_400
        let spool = try HistorySpool(directory: directory, run: 1, resolution: 60)
        try spool.watch([(0, "a.test"), (1, "b.test")])
        var bytes: [UInt8] = []
        for rtt in [10.0, nil, 11.0] { HistorySpool.record(place: 0, rttMilliseconds: rtt, into: &bytes) }
        try spool.append(step: step, bytes)
        let closed = try #require(try spool.close(step: step))
        let files = { try Files.list(directory).filter { !$0.hasSuffix(".hosts") }.sorted() }
        // The database has not taken the rows yet: the pings stay on disk, and no .rows file was made.
        #expect(try files() == ["1-\(step).pings"] && closed.name == "1-\(step).pings")
        let rows = try #require(closed.rows)
        #expect(rows.rows.map(\.domain) == ["a.test"] && rows.rows.map(\.sent) == [3] && rows.stepStart == step)
        let spilled = try HistorySpool.spill(closed, in: directory)
        #expect(try files() == ["1-\(step).rows"] && spilled.rows == nil && spilled.bytes <= closed.bytes)
        let read = try HistorySpool.rows(spilled, in: directory)
        #expect(read.rows.map(\.domain) == rows.rows.map(\.domain) && read.rows.map(\.rollup) == rows.rows.map(\.rollup))
        #expect((read.run, read.resolution, read.stepStart) == (1, 60, step))
        try HistorySpool.remove(spilled, in: directory)
        #expect(try files().isEmpty)
    }

    /// A step's file larger than one read (64 KiB) comes back whole: every ping counted once.
    @Test func aStepFileOfSeveralReadsIsReadWhole() throws {
        let spool = try HistorySpool(directory: Self.directory(), run: 1, resolution: 60)
        try spool.watch((0..<3).map { ($0, "h\($0).test") })
        let step: Int64 = 1_796_180_400
        var bytes: [UInt8] = []
        for index in 0..<20_001 {
            HistorySpool.record(place: index % 3, rttMilliseconds: index % 7 == 0 ? nil : 2, into: &bytes)
        }
        try spool.append(step: step, bytes)
        let rows = try #require(try spool.close(step: step)?.rows)
        #expect(rows.rows.map(\.sent) == [6667, 6667, 6667])
        let replies = rows.rows.compactMap { PingRollup(encoded: $0.rollup)?.replies }.reduce(0, +)
        #expect(replies == (0..<20_001).filter { $0 % 7 != 0 }.count)
    }
}
