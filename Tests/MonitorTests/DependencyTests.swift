// Dependency-aware outages through the monitor and a scripted pinger: a router that stops answering is down and
// the hosts behind it unreachable (one announced incident, the router's, naming them), whichever host's timer
// fires first; a child failing alone is down on its own; a child still silent after its router came back is
// down then, and notified.
import Dispatch
import Encoding
import Foundation
import ICMP
import Logging
import Platform
import Synchronization
import TestSupport
import Testing
@testable import Monitor

@Suite struct DependencyTests {
    /// Which addresses do not answer right now.
    final class Network: Sendable {
        private let silent = Mutex<Set<String>>([])
        func fail(_ hosts: String...) { silent.withLock { $0.formUnion(hosts) } }
        func heal(_ hosts: String...) { silent.withLock { $0.subtract(hosts) } }
        func answers(_ address: SocketAddress) -> Bool { !silent.withLock { $0.contains(address.ipString) } }
    }

    struct Run {
        let monitor: Monitor
        let events: EventLog
        let board: StatusBoard
        let network: Network

        func state(_ position: Int) -> HostState { board.host(at: position).state }
        var announcedOpenings: [String] {
            events.opened.filter(\.kind.announced).map(\.domain)
                + events.all.compactMap { if case .incidentClassified(let c) = $0, c.announceNow { return c.domain }; return nil }
        }
        var announcedClosings: [String] { events.closed.filter(\.announced).map(\.domain) }
    }

    /// `hosts`: address and parents, in file order; 20 ms interval, 2 failures down (`childThreshold` for hosts
    /// with parents), 1 reply up; `maintenance` windows for every host.
    func start(_ hosts: [(String, [String])], childThreshold: Int? = nil, maintenance: [String] = []) throws -> Run {
        let utc = try #require(TimeZone(identifier: "UTC"))
        let windows = try maintenance.map { try MaintenanceWindow.parse($0, timeZone: utc) }
        let specs = try hosts.map { address, parents -> HostSpec in
            var spec = try #require(HostSpec(address))
            spec.attributes.parents = parents
            spec.attributes.maintenance = windows
            if !parents.isEmpty { spec.attributes.failureThreshold = childThreshold }
            return spec
        }
        let settings = MonitorSettings(hosts: specs, interval: try #require(ConfigDuration.parse("20ms")),
                                       timeout: try #require(ConfigDuration.parse("10ms")),
                                       failureThreshold: 2, recoveryThreshold: 1)
        let board = StatusBoard(hosts: specs.enumerated().map { HostStatus(spec: $0.element, id: Int64($0.offset + 1), downSince: nil) })
        let events = EventLog()
        let network = Network()
        let queue = DispatchQueue(label: "test.ping")
        let pinger = ScriptedPinger(queue: queue, log: PingLog()) { address, _ in
            ScriptedAnswer(outcome: network.answers(address) ? .reply(rttMilliseconds: 0.5) : .failed(.timeout))
        }
        let monitor = Monitor(settings: settings, pinger: pinger, observers: [board, events], queue: queue,
                              logger: Logger(minimumLevel: .error))
        monitor.start()
        return Run(monitor: monitor, events: events, board: board, network: network)
    }

    let tree = [("192.0.2.1", [String]()), ("192.0.2.11", ["192.0.2.1"]), ("192.0.2.12", ["192.0.2.1"]),
                ("192.0.2.50", [])]

    @Test func aRouterDownMakesTheHostsBehindItUnreachableWithOneNotification() throws {
        let run = try start(tree)
        defer { run.monitor.stop() }
        Thread.sleep(forTimeInterval: 0.2)
        run.network.fail("192.0.2.1", "192.0.2.11", "192.0.2.12")
        _ = waitUntil(timeout: 3) { run.state(1) == .unreachable && run.state(2) == .unreachable }
        Thread.sleep(forTimeInterval: 0.1)
        #expect(run.state(0) == .down)
        #expect(run.state(1) == .unreachable && run.state(2) == .unreachable)
        #expect(run.board.host(at: 1).behind == "192.0.2.1")
        #expect(run.state(3) == .up)
        #expect(run.announcedOpenings == ["192.0.2.1"])
        #expect(run.events.opened.first { $0.domain == "192.0.2.1" }?.dependents == ["192.0.2.11", "192.0.2.12"])
        let child = run.events.all.compactMap { event -> String? in
            if case .incidentOpened(let o) = event, o.domain == "192.0.2.11" { return o.cause }
            if case .incidentClassified(let c) = event, c.domain == "192.0.2.11" { return c.cause }
            return nil
        }.last
        #expect(child == "unreachable: behind 192.0.2.1, which is down")
        run.network.heal("192.0.2.1", "192.0.2.11", "192.0.2.12")
        _ = waitUntil(timeout: 3) { (0..<4).allSatisfy { run.state($0) == .up } }
        #expect((0..<4).allSatisfy { run.state($0) == .up })
        #expect(run.announcedOpenings == ["192.0.2.1"])
        #expect(run.announcedClosings == ["192.0.2.1"])
        #expect(run.events.closed.count == 3, "every incident closed, the children's silently")
    }

    /// The children come first in the file, so their timers fire before the router's in every interval.
    @Test(arguments: [0.0, 0.005, 0.011, 0.017])
    func aRouterAndAChildFailingTogetherGiveOneNotificationWhateverThePhase(delay: Double) throws {
        let run = try start([("192.0.2.11", ["192.0.2.1"]), ("192.0.2.12", ["192.0.2.1"]), ("192.0.2.1", [])])
        defer { run.monitor.stop() }
        Thread.sleep(forTimeInterval: 0.2 + delay)
        run.network.fail("192.0.2.11", "192.0.2.1", "192.0.2.12")
        _ = waitUntil(timeout: 3) { run.state(0) == .unreachable && run.state(1) == .unreachable }
        Thread.sleep(forTimeInterval: 0.1)
        #expect(run.announcedOpenings == ["192.0.2.1"])
        #expect(run.state(0) == .unreachable && run.state(1) == .unreachable && run.state(2) == .down)
    }

    /// A child that trips at its first failed ping, before the router's timer has fired since the network broke:
    /// the router's last answer is older than the child's streak, so the router is pinged at once.
    @Test(arguments: [0.0, 0.007, 0.013])
    func aChildQuickerThanItsRouterWaitsForTheRoutersVerdict(delay: Double) throws {
        let run = try start([("192.0.2.11", ["192.0.2.1"]), ("192.0.2.1", [])], childThreshold: 1)
        defer { run.monitor.stop() }
        Thread.sleep(forTimeInterval: 0.2 + delay)
        run.network.fail("192.0.2.11", "192.0.2.1")
        _ = waitUntil(timeout: 3) { run.state(1) == .down }
        Thread.sleep(forTimeInterval: 0.1)
        #expect(run.announcedOpenings == ["192.0.2.1"])
        #expect(run.state(0) == .unreachable)
    }

    @Test func aChildFailingAloneIsDownAndNotified() throws {
        let run = try start(tree)
        defer { run.monitor.stop() }
        Thread.sleep(forTimeInterval: 0.2)
        run.network.fail("192.0.2.12")
        _ = waitUntil(timeout: 3) { run.state(2) == .down }
        Thread.sleep(forTimeInterval: 0.1)
        #expect(run.state(2) == .down)
        #expect(run.state(0) == .up && run.state(1) == .up)
        #expect(run.announcedOpenings == ["192.0.2.12"])
    }

    @Test func aChildStillSilentAfterItsRouterCameBackIsDownAndNotified() throws {
        let run = try start(tree)
        defer { run.monitor.stop() }
        Thread.sleep(forTimeInterval: 0.2)
        run.network.fail("192.0.2.1", "192.0.2.11", "192.0.2.12")
        _ = waitUntil(timeout: 3) { run.state(1) == .unreachable }
        #expect(run.state(1) == .unreachable)
        run.network.heal("192.0.2.1", "192.0.2.12")
        _ = waitUntil(timeout: 3) { run.state(1) == .down && run.state(2) == .up }
        Thread.sleep(forTimeInterval: 0.1)
        #expect(run.state(0) == .up && run.state(2) == .up)
        #expect(run.state(1) == .down)
        #expect(run.announcedOpenings == ["192.0.2.1", "192.0.2.11"])
        #expect(run.announcedClosings == ["192.0.2.1"])
    }

    @Test func aHostWithTwoParentsIsDownWhenOneStillAnswers() throws {
        let run = try start([("192.0.2.1", []), ("192.0.2.2", []), ("192.0.2.20", ["192.0.2.1", "192.0.2.2"])])
        defer { run.monitor.stop() }
        Thread.sleep(forTimeInterval: 0.2)
        run.network.fail("192.0.2.1", "192.0.2.20")
        _ = waitUntil(timeout: 3) { run.state(0) == .down && run.state(2) == .down }
        Thread.sleep(forTimeInterval: 0.1)
        #expect(run.state(2) == .down)
        #expect(Set(run.announcedOpenings) == ["192.0.2.1", "192.0.2.20"])
        run.network.fail("192.0.2.2")
        _ = waitUntil(timeout: 3) { run.state(1) == .down }
        #expect(run.state(1) == .down)
        #expect(run.state(2) == .down, "it was announced down before the second way failed: it stays down")
    }

    @Test func aDeepChainNamesTheDownAncestor() throws {
        let run = try start([("192.0.2.1", []), ("192.0.2.2", ["192.0.2.1"]), ("192.0.2.3", ["192.0.2.2"]),
                             ("192.0.2.4", ["192.0.2.3"])])
        defer { run.monitor.stop() }
        Thread.sleep(forTimeInterval: 0.2)
        run.network.fail("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4")
        _ = waitUntil(timeout: 3) { (1...3).allSatisfy { run.state($0) == .unreachable } }
        Thread.sleep(forTimeInterval: 0.1)
        #expect(run.announcedOpenings == ["192.0.2.1"])
        #expect((1...3).allSatisfy { run.state($0) == .unreachable && run.board.host(at: $0).behind == "192.0.2.1" })
        #expect(run.events.opened.first { $0.domain == "192.0.2.1" }?.dependents == ["192.0.2.2", "192.0.2.3", "192.0.2.4"])
    }

    @Test func anOutageInsideAMaintenanceWindowIsMarkedAndNotNotified() throws {
        let run = try start([("192.0.2.1", []), ("192.0.2.11", ["192.0.2.1"])],
                            maintenance: ["2000-01-01T00:00Z/2100-01-01T00:00Z"])
        defer { run.monitor.stop() }
        _ = waitUntil(timeout: 3) { run.board.host(at: 0).lastPerformed != nil }
        #expect(run.state(0) == .maintenance && run.board.host(at: 0).reportedUp, "in maintenance, status says it answers")
        run.network.fail("192.0.2.1")
        _ = waitUntil(timeout: 3) { run.events.opened.count == 1 }
        Thread.sleep(forTimeInterval: 0.1)
        #expect(run.events.opened.first?.kind == .maintenance)
        #expect(run.state(0) == .maintenance && !run.board.host(at: 0).reportedUp)
        #expect(run.announcedOpenings.isEmpty)
        run.network.heal("192.0.2.1")
        _ = waitUntil(timeout: 3) { run.events.closed.count == 1 }
        #expect(run.announcedClosings.isEmpty)
    }
}
