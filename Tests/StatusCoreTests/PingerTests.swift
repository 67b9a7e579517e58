// The real pinger over raw sockets (the tests run as root), against loopback only.
import Dispatch
import Foundation
import Testing
@testable import StatusCore

@Suite struct PingerTests {
    func ping(_ literal: String, pinger: Pinger, queue: DispatchQueue) throws -> [PingResult] {
        let address = try #require(SocketAddress(ipLiteral: literal))
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var results: [PingResult] = []
        queue.async {
            pinger.resultHandler = { token, result in
                dispatchPrecondition(condition: .onQueue(queue))
                #expect(token == 7)
                results.append(result)
                done.signal()
            }
            pinger.ping(address, token: 7)
        }
        #expect(done.wait(timeout: .now() + 3) == .success)
        Thread.sleep(forTimeInterval: 0.2)
        return queue.sync { results }
    }

    @Test(arguments: ["127.0.0.1", "::1", "127.0.0.53"])
    func loopbackAnswersWithASmallRoundTripTimeExactlyOnce(literal: String) throws {
        let queue = DispatchQueue(label: "test.pinger")
        let pinger = try Pinger(queue: queue, timeout: 1, logger: Logger(minimumLevel: .error))
        defer { queue.sync { pinger.close() } }
        #expect(pinger.modes == ["ipv4": "raw", "ipv6": "raw"])
        let results = try ping(literal, pinger: pinger, queue: queue)
        #expect(results.count == 1, "the result comes exactly once")
        guard case .reply(let rtt)? = results.first?.outcome else {
            Issue.record("no reply: \(String(describing: results.first?.outcome))")
            return
        }
        #expect(rtt > 0 && rtt < 100)
        #expect(queue.sync { pinger.counters(literal.contains(":") ? .v6 : .v4).replies } == 1)
    }

    @Test func manyPingsInFlightAllComplete() throws {
        let queue = DispatchQueue(label: "test.pinger.many")
        let pinger = try Pinger(queue: queue, timeout: 1, logger: Logger(minimumLevel: .error))
        defer { queue.sync { pinger.close() } }
        let done = DispatchGroup()
        nonisolated(unsafe) var replies = Set<Int>()
        queue.sync {
            pinger.resultHandler = { token, result in
                if case .reply = result.outcome { replies.insert(token) }
                done.leave()
            }
        }
        for index in 0..<200 {
            let address = try #require(SocketAddress(ipLiteral: "127.0.\(index / 100).\(index % 100 + 1)"))
            done.enter()
            queue.async { pinger.ping(address, token: index) }
        }
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(queue.sync { replies } == Set(0..<200), "each reply reaches its own token")
    }
}
