// The pinger against packets a test puts on the wire: inside a namespace of its own where the kernel does not
// answer pings, a raw socket sees each echo request and answers it late, from another identifier, or with an
// ICMP error quoting someone else's echo. Real sockets and packets on both sides.
import Dispatch
import Foundation
import Synchronization
import Testing
@testable import ICMP
import Logging
import Platform
import TestSupport

/// Every result the pinger hands over, by the host of its tag.
final class PingResults: Sendable {
    private let byHost = Mutex<[Int: [PingResult]]>([:])

    init(pinger: QueueConfined<Pinger>) {
        pinger.sync { pinger in pinger.resultHandler = { [self] tag, result in record(tag.host, result) } }
    }

    private func record(_ host: Int, _ result: PingResult) { byHost.withLock { $0[host, default: []].append(result) } }

    func of(_ host: Int) -> [PingResult] { byHost.withLock { $0[host] ?? [] } }

    /// Waits up to `timeout` seconds for `host`'s first result.
    func first(_ host: Int, timeout: Double = 3) -> PingResult? {
        waitUntil(timeout: timeout) { !of(host).isEmpty }
        return of(host).first
    }
}

/// A ping to `address` for the host numbered `host`, sent on the pinger's queue.
func ping(_ pinger: QueueConfined<Pinger>, _ address: SocketAddress, host: Int) {
    pinger.async { $0.ping(address, tag: PingTag(host: host, number: 0)) }
}

@Suite struct PingerWireTests {
    let localhost = SocketAddress(ipLiteral: "127.0.0.1")!

    /// The pinger and the peer, both opened inside a fresh namespace.
    func rig(timeout: Double) throws -> (TestNetworkNamespace, QueueConfined<Pinger>, ICMPWirePeer) {
        let namespace = try TestNetworkNamespace(echoIgnored: true)
        let queue = DispatchQueue(label: "test.pinger.wire")
        let pinger = try namespace.inside {
            QueueConfined(try Pinger(queue: queue, timeout: timeout, logger: Logger(minimumLevel: .error)), queue: queue)
        }
        let peer = try namespace.inside { try ICMPWirePeer() }
        return (namespace, pinger, peer)
    }

    @Test func aReplyAfterItsTimeoutIsCountedLateNotAsTheNextPingsSuccess() throws {
        let (namespace, pinger, peer) = try rig(timeout: 1)
        defer { pinger.sync { $0.close() } }
        let results = PingResults(pinger: pinger)

        ping(pinger, localhost, host: 1)
        let first = try #require(peer.nextEchoRequest(identifier: pinger.sync { $0.identifier }))
        let timedOut = try #require(results.first(1, timeout: 3), "no answer: the first ping must time out")
        #expect(timedOut.outcome == .failed(.timeout))

        ping(pinger, localhost, host: 2)
        let second = try #require(peer.nextEchoRequest(identifier: pinger.sync { $0.identifier }))
        let secondSent = Date()
        #expect(second.sequence != first.sequence)

        // The first ping's reply arrives while the second ping to the same host is waiting for its own.
        peer.reply(identifier: first.identifier, sequence: first.sequence, payload: first.payload)
        #expect(waitUntil(timeout: 3) { pinger.sync { $0.counters(.v4).late } == 1 }, "the late reply is counted late")
        #expect(results.of(2).isEmpty, "a late reply must not complete the next ping")
        #expect(pinger.sync { $0.counters(.v4).replies } == 0)

        peer.reply(identifier: second.identifier, sequence: second.sequence, payload: second.payload)
        let answered = try #require(results.first(2))
        guard case .reply(let rtt) = answered.outcome else {
            Issue.record("the second ping's own reply should complete it: \(answered.outcome)")
            return
        }
        #expect(rtt <= Date().timeIntervalSince(secondSent) * 1000 + 1, "RTT runs from the second ping, not the first")
        #expect(results.of(1).count == 1 && results.of(2).count == 1, "one result per ping")
        #expect(pinger.sync { $0.counters(.v4) }.replies == 1)
        withExtendedLifetime(namespace) {}
    }

    @Test func icmpErrorsAndRepliesAboutOtherEchoesAreIgnored() throws {
        let (namespace, pinger, peer) = try rig(timeout: 10)
        defer { pinger.sync { $0.close() } }
        let results = PingResults(pinger: pinger)
        ping(pinger, localhost, host: 1)
        let echo = try #require(peer.nextEchoRequest(identifier: pinger.sync { $0.identifier }))
        let another = echo.identifier &+ 1

        // Another process's echo reply with our sequence number: the kernel drops it (the socket's echo filter), so
        // it never wakes the pinger. Errors about another process's echo, and about ours to another address,
        // are read and counted as foreign.
        peer.reply(identifier: another, sequence: echo.sequence, payload: echo.payload)
        peer.prohibited(quotingEchoTo: "127.0.0.1", identifier: another, sequence: echo.sequence)
        peer.prohibited(quotingEchoTo: "127.0.0.2", identifier: echo.identifier, sequence: echo.sequence)
        #expect(waitUntil(timeout: 3) { pinger.sync { $0.counters(.v4).foreign } == 2 }, "each counted as foreign")
        #expect(results.of(1).isEmpty, "none of them is about our ping")

        // The same error about our own echo does complete it: the forged packets above were well-formed. It came
        // last, so everything before it has been read: the other process's reply never was.
        peer.prohibited(quotingEchoTo: "127.0.0.1", identifier: echo.identifier, sequence: echo.sequence)
        let result = try #require(results.first(1))
        #expect(result.outcome == .failed(.icmpError(kind: "communication administratively prohibited", reportedBy: "127.0.0.1")))
        let counters = pinger.sync { $0.counters(.v4) }
        #expect(counters.errors == 1 && counters.foreign == 2 && counters.replies == 0)
        withExtendedLifetime(namespace) {}
    }
}
