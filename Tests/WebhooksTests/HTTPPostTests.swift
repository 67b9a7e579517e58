// The POST under the webhooks (Platform's HTTPPost over a libcurl loaded on first use), against real sockets on
// 127.0.0.1: a request in flight ends soon after it is cancelled, a closed port is "connection refused", and a
// scheme other than http or https is refused without a connection.
import Foundation
import Glibc
import Testing
import Platform
import Synchronization
import TestSupport

@Suite struct HTTPPostTests {
    @Test func aRequestToASilentServerEndsSoonAfterItIsCancelled() throws {
        let silent = try TestWebhookReceiver { _ in .silence }
        let cancellation = HTTPPost.Cancellation()
        let result = Mutex<Result<HTTPPost.Answer, HTTPPost.Failure>?>(nil)
        let start = Date()
        Threads.start(name: "test-post") {
            let answer = HTTPPost.send(url: silent.url().absoluteString, headers: [], body: Array("{}".utf8), timeout: 30,
                                       cancellation: cancellation)
            result.withLock { $0 = answer }
        }
        #expect(silent.waitFor(1, timeout: 2).count == 1)
        cancellation.cancel()
        #expect(waitUntil(timeout: 3) { result.withLock { $0 != nil } })
        #expect(result.withLock { $0 } == .failure(.cancelled))
        #expect(Date().timeIntervalSince(start) < 3, "ended by the cancellation, not the 30 s timeout")
    }

    @Test func aClosedPortIsConnectionRefusedAndAnotherSchemeIsABadURL() throws {
        // A socket bound and never listening holds the port (no other test can take it meanwhile) and refuses.
        let bound = try Socket.open(family: AF_INET, type: Int32(SOCK_STREAM.rawValue), protocol: 0, label: "test socket")
        try Socket.bind(bound, to: try #require(SocketAddress(ipLiteral: "127.0.0.1")))
        let port = try #require(try Socket.localAddress(bound)).port
        #expect(HTTPPost.send(url: "http://127.0.0.1:\(port)/hook", headers: [], body: [], timeout: 2, cancellation: .init())
                == .failure(.connectionRefused))
        withExtendedLifetime(bound) {}
        guard case .failure(.badURL) = HTTPPost.send(url: "ftp://127.0.0.1/x", headers: [], body: [], timeout: 2,
                                                     cancellation: .init()) else {
            Issue.record("ftp was not refused as a bad URL")
            return
        }
    }
}
