// The monitor wired to a scripted pinger, observed through its events and the status board: thresholds, incident
// times and causes, the database's ongoing incidents, and results counted in send order when they arrive out of it.
import Dispatch
import Encoding
import Foundation
import ICMP
import Logging
import Platform
import TestSupport
import Testing
@testable import Monitor

@Suite struct MonitorTests {
    struct Run {
        let events: EventLog
        let board: StatusBoard
        let log: PingLog
    }

    /// Runs a monitor over `hosts` at a 20 ms interval for `seconds`; `adoptBefore` is what the database says
    /// before the first ping, `halfway` runs on the test's thread in the middle.
    func run(hosts: String, failures: Int = 2, recoveries: Int = 2, for seconds: Double,
             adoptBefore: [String: OngoingIncident] = [:], halfway: ((Monitor) -> Void)? = nil,
             script: @escaping @Sendable (SocketAddress, Int) -> ScriptedAnswer) throws -> Run {
        let specs = try hosts.split(separator: ",").map { try #require(HostSpec(String($0))) }
        let settings = MonitorSettings(hosts: specs, interval: try #require(ConfigDuration.parse("20ms")),
                                       timeout: try #require(ConfigDuration.parse("10ms")),
                                       failureThreshold: failures, recoveryThreshold: recoveries)
        let board = StatusBoard(hosts: specs.enumerated().map { HostStatus(id: Int64($0.offset + 1), domain: $0.element.domain) })
        let events = EventLog()
        let log = PingLog()
        let queue = DispatchQueue(label: "test.ping")
        let monitor = Monitor(settings: settings, pinger: ScriptedPinger(queue: queue, log: log, script: script),
                              observers: [board, events], queue: queue, logger: Logger(minimumLevel: .error))
        if !adoptBefore.isEmpty { monitor.adopt(adoptBefore) }
        monitor.start()
        Thread.sleep(forTimeInterval: seconds / 2)
        halfway?(monitor)
        Thread.sleep(forTimeInterval: seconds / 2)
        monitor.stop()
        return Run(events: events, board: board, log: log)
    }

    func address(_ literal: String) throws -> SocketAddress { try #require(SocketAddress(ipLiteral: literal)) }

    @Test func aHostThatStopsAnsweringGetsOneIncidentFromItsFirstFailedPing() throws {
        let run = try run(hosts: "192.0.2.10", for: 0.5) { _, n in
            ScriptedAnswer(outcome: n < 3 ? .reply(rttMilliseconds: 0.5) : .failed(.timeout))
        }
        let sent = run.log.times(try address("192.0.2.10"))
        #expect(run.events.opened.count == 1)
        #expect(run.events.opened.first?.downDetection == sent[3], "down_detection is the 4th ping, the first that failed")
        #expect(run.events.opened.first?.cause == "no reply to 2 pings (timeout 10ms)")
        #expect(run.events.closed.isEmpty)
        #expect(run.board.snapshot().first?.reportedUp == false)
        #expect(run.board.snapshot().first?.incidentsOpened == 1)
    }

    @Test func recoveryClosesTheIncidentAtTheFirstGoodPingOfTheStreak() throws {
        let run = try run(hosts: "192.0.2.11", for: 0.6) { _, n in
            ScriptedAnswer(outcome: (2..<6).contains(n) ? .failed(.icmpError(kind: "host unreachable", reportedBy: "192.0.2.1"))
                                                        : .reply(rttMilliseconds: 1))
        }
        let sent = run.log.times(try address("192.0.2.11"))
        #expect(run.events.opened.map(\.downDetection) == [sent[2]])
        #expect(run.events.opened.first?.cause == "host unreachable, reported by 192.0.2.1")
        #expect(run.events.closed.map(\.upDetection) == [sent[6]])
        #expect(run.events.closed.first?.downDetection == sent[2] && run.events.closed.first?.announced == true)
        #expect(run.board.snapshot().first?.reportedUp == true)
        #expect(run.board.snapshot().first?.lastRTTMilliseconds == 1)
    }

    /// Ping N's timeout lands after ping N+1's reply when the timeout equals the interval: results still count in
    /// the order the pings were sent, so three lost pings in a row are three failures in a row.
    @Test func aTimeoutArrivingAfterTheNextPingsReplyStillCountsBeforeIt() throws {
        let run = try run(hosts: "192.0.2.12", failures: 3, recoveries: 1, for: 0.6) { _, n in
            (3...5).contains(n) ? ScriptedAnswer(outcome: .failed(.timeout), arrivesAfterNext: true)
                                : ScriptedAnswer(outcome: .reply(rttMilliseconds: 1))
        }
        let sent = run.log.times(try address("192.0.2.12"))
        #expect(run.events.opened.map(\.downDetection) == [sent[3]], "exactly three lost pings take the host down")
        #expect(run.events.closed.map(\.upDetection) == [sent[6]])
    }

    /// Started without the database or a state directory, the monitor learns of an incident left open by an
    /// earlier run only once the database answers: a host not seen answering yet takes it over (no second
    /// incident), and the first good streak closes it.
    @Test func anIncidentLeftOpenIsTakenOverAndClosedWhenTheHostAnswers() throws {
        let t0 = Date().addingTimeInterval(-3600)
        let run = try run(hosts: "192.0.2.10", for: 0.3,
                          adoptBefore: ["192.0.2.10": OngoingIncident(id: 7, description: "from before", downDetection: t0)]) { _, _ in
            ScriptedAnswer(outcome: .reply(rttMilliseconds: 1))
        }
        #expect(run.events.adopted.map(\.downDetection) == [t0])
        #expect(run.events.opened.isEmpty, "no second incident")
        #expect(run.events.closed.count == 1)
        #expect(run.events.closed.first?.cause == "from before" && run.events.closed.first?.downDetection == t0)
        #expect(try #require(run.events.closed.first?.upDetection) > t0)
    }

    @Test func anIncidentLeftOpenIsTakenOverWhileTheHostStaysDown() throws {
        let t0 = Date().addingTimeInterval(-3600)
        let run = try run(hosts: "192.0.2.10", for: 0.3,
                          adoptBefore: ["192.0.2.10": OngoingIncident(id: 7, description: "from before", downDetection: t0)]) { _, _ in
            ScriptedAnswer(outcome: .failed(.timeout))
        }
        #expect(run.events.adopted.count == 1 && run.events.opened.isEmpty && run.events.closed.isEmpty)
        #expect(run.board.snapshot().first?.reportedUp == false)
        #expect(run.board.snapshot().first?.downSince == t0)
    }

    /// When the database's word comes after this run saw the host answer, that incident is closed at the first
    /// good ping's send time, and nobody is notified again (it is not announced).
    @Test func anIncidentLeftOpenIsClosedQuietlyWhenTheHostWasAlreadySeenAnswering() throws {
        let t0 = Date().addingTimeInterval(-3600)
        let run = try run(hosts: "192.0.2.10", for: 0.4, halfway: { monitor in
            monitor.adopt(["192.0.2.10": OngoingIncident(id: 7, description: "from before", downDetection: t0)])
        }) { _, _ in ScriptedAnswer(outcome: .reply(rttMilliseconds: 1)) }
        let sent = run.log.times(try address("192.0.2.10"))
        #expect(run.events.closed.map(\.announced) == [false])
        #expect(run.events.closed.first?.upDetection == sent.first)
        #expect(run.events.adopted.isEmpty && run.events.opened.isEmpty)
    }

    @Test func everyHostIsPingedSoonAfterStart() throws {
        let run = try run(hosts: "192.0.2.12,192.0.2.13,192.0.2.14", for: 0.3) { _, _ in ScriptedAnswer(outcome: .failed(.timeout)) }
        #expect(run.log.addresses == 3)
        #expect(run.board.snapshot().allSatisfy { $0.lastPerformed != nil })
    }

    @Test func anICMPErrorArrivingAfterTheTimeoutsNamesTheOngoingIncidentsCause() throws {
        let run = try run(hosts: "192.0.2.20", for: 0.6) { _, n in
            ScriptedAnswer(outcome: n < 2 ? .reply(rttMilliseconds: 1) : .failed(.timeout),
                           lateError: n == 8 ? .icmpError(kind: "host unreachable", reportedBy: "192.0.2.1") : nil)
        }
        #expect(run.events.opened.map(\.cause) == ["no reply to 2 pings (timeout 10ms)"])
        #expect(run.events.described.map(\.cause) == ["host unreachable, reported by 192.0.2.1"])
    }
}
