// The monitor wired to a scripted pinger and the in-memory store: thresholds, incident times and causes,
// and the state the API reads. (The real pinger and MariaDB are exercised by the end-to-end tests.)
import Dispatch
import Foundation
import Testing
@testable import StatusCore

/// Answers each ping from a script: the outcome for the n-th ping of an address.
final class ScriptedPinger: Pinging, @unchecked Sendable {
    var resultHandler: ((Int, PingResult) -> Void)?
    var lateErrorHandler: ((Int, PingOutcome) -> Void)?
    private let queue: DispatchQueue
    private let script: (SocketAddress, Int) -> PingOutcome
    private var counts: [SocketAddress: Int] = [:]
    private(set) var sentTimes: [SocketAddress: [Date]] = [:]

    init(queue: DispatchQueue, script: @escaping (SocketAddress, Int) -> PingOutcome) {
        self.queue = queue
        self.script = script
    }

    func ping(_ address: SocketAddress, token: Int) {
        let n = counts[address, default: 0]
        counts[address] = n + 1
        let sent = Date()
        sentTimes[address, default: []].append(sent)
        let outcome = script(address, n)
        queue.async { self.resultHandler?(token, PingResult(outcome: outcome, sentAt: sent, completedAt: Date())) }
    }
}

@Suite struct MonitorTests {
    func run(hosts: String, failures: Int = 2, recoveries: Int = 2, for seconds: Double,
             prepare: (InMemoryStore) throws -> Void = { _ in },
             halfway: ((ScriptedPinger, DispatchQueue) -> Void)? = nil,
             script: @escaping (SocketAddress, Int) -> PingOutcome) throws -> (InMemoryStore, StatusBoard, ScriptedPinger) {
        let configuration = try Configuration.fromEnvironment([
            "MONITORING_HOSTS": hosts, "MONITORING_INTERVAL": "20ms", "MONITORING_TIMEOUT": "10ms",
            "MONITORING_FAILURE_THRESHOLD": "\(failures)", "MONITORING_RECOVERY_THRESHOLD": "\(recoveries)",
        ])
        let store = InMemoryStore()
        let logger = Logger(minimumLevel: .error)
        try prepare(store)
        let checks = try store.registerChecks(domains: configuration.hosts.map(\.domain))
        let registered = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var registration: StoreWriter.Registration?
        let writer = StoreWriter(store: store, domains: checks.map(\.domain), logger: logger) {
            registration = $0
            registered.signal()
        }
        let board = StatusBoard(hosts: checks.map { HostStatus(check: $0, isDown: false, lastRTTMilliseconds: nil) })
        let queue = DispatchQueue(label: "test.ping")
        let pinger = ScriptedPinger(queue: queue, script: script)
        let monitor = Monitor(configuration: configuration, downSince: [:], pinger: pinger,
                              resolver: Resolver(), writer: writer, board: board, queue: queue, logger: logger)
        #expect(registered.wait(timeout: .now() + 2) == .success)
        if let registration { monitor.adopt(registration) }  // as the daemon does once the database answers
        monitor.start()
        Thread.sleep(forTimeInterval: seconds / 2)
        if let halfway { queue.sync { halfway(pinger, queue) } }
        Thread.sleep(forTimeInterval: seconds / 2)
        monitor.stop()
        #expect(writer.flush(timeout: 2))
        return (store, board, pinger)
    }

    @Test func aHostThatStopsAnsweringGetsOneIncidentFromItsFirstFailedPing() throws {
        let target = try #require(SocketAddress(ipLiteral: "192.0.2.10"))
        let (store, board, pinger) = try run(hosts: "192.0.2.10", for: 0.5) { _, n in
            n < 3 ? .reply(rttMilliseconds: 0.5) : .timeout
        }
        let incidents = try store.incidents(checkID: 1)
        #expect(incidents.count == 1)
        let sent = try #require(pinger.sentTimes[target])
        #expect(incidents.first?.downDetection == sent[3], "down_detection is the 4th ping, the first that failed")
        #expect(incidents.first?.upDetection == nil)
        #expect(incidents.first?.description == "no reply to 2 pings (timeout 10ms)")
        #expect(board.snapshot().first?.reportedUp == false)
    }

    @Test func recoveryClosesTheIncidentAtTheFirstGoodPingOfTheStreak() throws {
        let target = try #require(SocketAddress(ipLiteral: "192.0.2.11"))
        let (store, board, pinger) = try run(hosts: "192.0.2.11", for: 0.6) { _, n in
            (2..<6).contains(n) ? .icmpError(kind: "host unreachable", reportedBy: "192.0.2.1") : .reply(rttMilliseconds: 1)
        }
        let incidents = try store.incidents(checkID: 1)
        #expect(incidents.count == 1)
        let sent = try #require(pinger.sentTimes[target])
        #expect(incidents.first?.downDetection == sent[2])
        #expect(incidents.first?.upDetection == sent[6])
        #expect(incidents.first?.description == "host unreachable, reported by 192.0.2.1")
        #expect(board.snapshot().first?.reportedUp == true)
        #expect(board.snapshot().first?.lastRTTMilliseconds == 1)
    }

    /// Started without the database or a state directory, the monitor learns of an incident left open by an
    /// earlier run only once the database answers: a host seen answering gets it closed, not a second one opened.
    @Test func anIncidentLeftOpenIsClosedWhenTheHostIsSeenAnswering() throws {
        let t0 = Date().addingTimeInterval(-3600)
        let (store, _, _) = try run(hosts: "192.0.2.10", for: 0.3, prepare: { store in
            let id = try #require(try store.registerChecks(domains: ["192.0.2.10"]).first).id
            _ = try store.openIncident(checkID: id, description: "from before", downDetection: t0)
        }) { _, _ in .reply(rttMilliseconds: 1) }
        let incidents = try store.incidents(checkID: 1)
        #expect(incidents.count == 1)
        #expect(incidents.first?.description == "from before")
        #expect(try #require(incidents.first?.upDetection) > t0, "closed at the first good ping of this run")
    }

    @Test func anIncidentLeftOpenIsTakenOverWhileTheHostStaysDown() throws {
        let t0 = Date().addingTimeInterval(-3600)
        let (store, board, _) = try run(hosts: "192.0.2.10", for: 0.3, prepare: { store in
            let id = try #require(try store.registerChecks(domains: ["192.0.2.10"]).first).id
            _ = try store.openIncident(checkID: id, description: "from before", downDetection: t0)
        }) { _, _ in .timeout }
        let incidents = try store.incidents(checkID: 1)
        #expect(incidents.map(\.description) == ["from before"], "no second incident")
        #expect(incidents.first?.upDetection == nil)
        #expect(board.snapshot().first?.reportedUp == false)
    }

    @Test func everyHostIsPingedSoonAfterStart() throws {
        let (_, board, pinger) = try run(hosts: "192.0.2.12,192.0.2.13,192.0.2.14", for: 0.3) { _, _ in .timeout }
        #expect(pinger.sentTimes.count == 3)
        #expect(board.snapshot().allSatisfy { $0.check.lastPerformed != nil })
    }

    @Test func anICMPErrorArrivingAfterTheTimeoutsNamesTheOngoingIncidentsCause() throws {
        let (store, _, _) = try run(hosts: "192.0.2.20", for: 0.6, halfway: { pinger, _ in
            pinger.lateErrorHandler?(0, .icmpError(kind: "host unreachable", reportedBy: "192.0.2.1"))
        }) { _, n in n < 2 ? .reply(rttMilliseconds: 1) : .timeout }
        let incidents = try store.incidents(checkID: 1)
        #expect(incidents.map(\.description) == ["host unreachable, reported by 192.0.2.1"])
    }
}
