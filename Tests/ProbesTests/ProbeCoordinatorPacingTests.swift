// A lone probe's coordinator on a thread it shares with other work (the daemon's store writer): its ticks, which
// write the heartbeat and read the probes table, run in the wake-ups the thread has for that other work instead of
// waking it on their own, and still come at least once a period.
import Consensus
import Foundation
import Logging
import Monitor
import Platform
import Probes
import Storage
import Synchronization
import Testing
import TestSupport

@Suite struct ProbeCoordinatorPacingTests {
    @Test func aLoneProbesTicksRideTheWakeUpsOfTheThreadItShares() throws {
        let database = try TestDatabase.create()
        defer { database.drop() }
        let queue = try ThreadQueue(name: "tq-probes")
        let roster = ProbeRoster()
        // Interval 1 s: alone, a tick every 5 s, at the earliest 5/6 s after the last.
        let coordinator = try ProbeCoordinator(settings: ProbeSettings(name: "home"), version: "test", interval: 1,
                                               database: database.configuration,
                                               board: StatusBoard(hosts: [HostStatus(id: 0, domain: "127.0.0.1")]),
                                               roster: roster, notifier: nil, logger: Logger(minimumLevel: .error),
                                               queue: queue) { _, _, _ in }
        // The other work: every 2 s, half a second out of phase with the coordinator's start.
        let others = Mutex<[Date]>([])
        let work = queue.makeTimer { others.withLock { $0.append(Date()) } }
        let start = Date()
        work.schedule(after: 0.5, repeating: 2)
        coordinator.start()
        // Each tick publishes the roster; sample it often enough to see every reading.
        var readings: [Date] = []
        while Date().timeIntervalSince(start) < 9.2 {
            if let at = roster.current.at, readings.last != at { readings.append(at) }
            Thread.sleep(forTimeInterval: 0.02)
        }
        work.cancel()
        _ = coordinator.leave(timeout: 2)
        let wakes = others.withLock { $0 }
        let laterTicks = readings.dropFirst()  // the first tick is the start's own, 0.2 s in
        #expect(laterTicks.count >= 3, "ticks at \(readings.map { $0.timeIntervalSince(start) })")
        for tick in laterTicks {
            let nearest = wakes.map { abs($0.timeIntervalSince(tick)) }.min() ?? .infinity
            let others = wakes.map { $0.timeIntervalSince(start) }
            #expect(nearest < 0.05, "a tick at \(tick.timeIntervalSince(start)) s, not with the other work (\(others))")
        }
        // Never longer apart than the period and its leeway (5.5 s).
        for (earlier, later) in zip(readings, readings.dropFirst()) {
            #expect(later.timeIntervalSince(earlier) <= 5.6)
        }
    }
}
