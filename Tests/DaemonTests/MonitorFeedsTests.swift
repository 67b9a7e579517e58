// The monitor's events reach the store the way the daemon wires them: a host that stops answering gets one
// incident from its first failed ping, closed at the first good ping of the recovery, with its cause; the uptime
// ledger and the webhooks hear the same incident.
import Dispatch
import Foundation
import ICMP
import Logging
import Platform
import Testing
@testable import Daemon
import Encoding
import Monitor
import Storage
import Uptime
import TestSupport
import Webhooks

@Suite struct MonitorFeedsTests {
    @Test func anOutageReachesTheStoreTheLedgerAndTheBoardAsOneIncident() throws {
        let spec = try #require(HostSpec("192.0.2.10"))
        let settings = MonitorSettings(hosts: [spec], interval: try #require(ConfigDuration.parse("20ms")),
                                       timeout: try #require(ConfigDuration.parse("10ms")), failureThreshold: 2,
                                       recoveryThreshold: 2)
        let store = InMemoryStore()
        let writer = try StoreWriter(store: store, domains: [spec.domain], logger: Logger(minimumLevel: .error))
        let board = StatusBoard(hosts: [HostStatus(id: 0, domain: spec.domain)])
        let ledger = UptimeLedger(domains: [spec.domain], started: Date().addingTimeInterval(-60))
        writer.start { registration in board.setIDs(registration.ids) }
        let log = PingLog()
        let queue = DispatchQueue(label: "test.feeds")
        let unreachable = PingOutcome.failed(.icmpError(kind: "host unreachable", reportedBy: "192.0.2.1"))
        let monitor = Monitor(settings: settings, pinger: ScriptedPinger(queue: queue, log: log) { _, n in
            (2..<6).contains(n) ? unreachable : .reply(rttMilliseconds: 1)
        }, observers: [board, StoreFeed(writer), UptimeFeed(ledger)], queue: queue, logger: Logger(minimumLevel: .error))
        monitor.start()
        Thread.sleep(forTimeInterval: 0.6)
        monitor.stop()
        #expect(writer.flush(timeout: 2))
        let times = log.times(try #require(SocketAddress(ipLiteral: "192.0.2.10")))
        let incidents = try store.incidents(checkID: board.checkID(0))
        #expect(incidents.count == 1)
        #expect(incidents.first?.downDetection.isSameMillisecond(as: times[2]) == true, "from the first failed ping")
        #expect(incidents.first?.upDetection?.isSameMillisecond(as: times[6]) == true, "to the first good ping of recovery")
        #expect(incidents.first?.description == "host unreachable, reported by 192.0.2.1")
        let check = try #require(try store.registerChecks(domains: [spec.domain]).first)
        #expect(check.status == true && check.lastPerformed != nil, "the check's latest ping is written too")
        let uptime = ledger.figures(position: 0, downSince: nil, now: Date()).uptime24h ?? 100
        #expect(uptime < 100, "the ledger counts the outage")
        #expect(board.snapshot().first?.incidentsOpened == 1)
    }
}
