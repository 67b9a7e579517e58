// The real pinger over raw sockets (the tests run as root), against loopback only.
import Dispatch
import Foundation
import Testing
@testable import ICMP
import Logging
import Platform
import TestSupport

@Suite struct PingerTests {
    func makePinger(_ label: String) throws -> QueueConfined<Pinger> {
        let queue = DispatchQueue(label: label)
        return QueueConfined(try Pinger(queue: queue, timeout: 1, logger: Logger(minimumLevel: .error)), queue: queue)
    }

    @Test(arguments: ["127.0.0.1", "::1", "127.0.0.53"])
    func loopbackAnswersWithASmallRoundTripTimeExactlyOnce(literal: String) throws {
        let pinger = try makePinger("test.pinger")
        defer { pinger.sync { $0.close() } }
        #expect(pinger.sync { $0.modes } == ["ipv4": "raw", "ipv6": "raw"])
        let results = PingResults(pinger: pinger)
        let address = try #require(SocketAddress(ipLiteral: literal))
        ping(pinger, address, host: 7)
        let first = try #require(results.first(7), "no result")
        Thread.sleep(forTimeInterval: 0.2)
        #expect(results.of(7).count == 1, "the result comes exactly once")
        guard case .reply(let rtt) = first.outcome else {
            Issue.record("no reply: \(first.outcome)")
            return
        }
        #expect(rtt > 0 && rtt < 100)
        #expect(pinger.sync { $0.counters(literal.contains(":") ? .v6 : .v4).replies } == 1)
    }

    @Test func manyPingsInFlightAllComplete() throws {
        let pinger = try makePinger("test.pinger.many")
        defer { pinger.sync { $0.close() } }
        let results = PingResults(pinger: pinger)
        for index in 0..<200 {
            let address = try #require(SocketAddress(ipLiteral: "127.0.\(index / 100).\(index % 100 + 1)"))
            ping(pinger, address, host: index)
        }
        #expect(waitUntil(timeout: 5) { (0..<200).allSatisfy { !results.of($0).isEmpty } })
        let replied = (0..<200).filter { host in results.of(host).contains { if case .reply = $0.outcome { return true }; return false } }
        #expect(replied == Array(0..<200), "each reply reaches its own tag")
    }

    @Test func aPingThatCannotBeSentFailsLaterNotInsideTheCall() throws {
        let pinger = try makePinger("test.pinger.unsent")
        defer { pinger.sync { $0.close() } }
        let results = PingResults(pinger: pinger)
        let address = try #require(SocketAddress(ipLiteral: "127.0.0.1"))
        let duringCall = pinger.sync { pinger -> Int in
            pinger.sockets = [nil, nil]  // as if no socket could be opened
            pinger.ping(address, tag: PingTag(host: 1, number: 0))
            return results.of(1).count
        }
        #expect(duringCall == 0, "the handler must not run inside ping()")
        let result = try #require(results.first(1))
        guard case .failed(.sendFailed) = result.outcome else { Issue.record("\(result.outcome)"); return }
    }
}
