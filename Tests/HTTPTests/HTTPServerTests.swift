// The HTTP server over real loopback sockets: common headers, error answers as JSON, IPv6 and graceful
// shutdown. The RFC 9112 rules, one test each, are in HTTPConformanceTests.
import Dispatch
import Foundation
import Testing
@testable import HTTP
import Logging
import Encoding
import Platform
import TestSupport

/// Answers `/slow` 200 ms later from another thread, everything else at once with the path as body.
final class EchoHandler: HTTPHandler {
    func answer(_ request: HTTPRequest) -> HTTPAnswer {
        let body = Array("{\"path\":\(JSONText.string(request.path))}".utf8)
        guard request.path == "/slow" else { return .now(.json(200, body)) }
        return .later { respond in
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { respond(.json(200, body)) }
        }
    }
}

/// Answers every request with the index of the event loop it belongs to (handlers are made once per loop).
final class LoopIndexHandler: HTTPHandler {
    let index: Int
    init(index: Int) { self.index = index }
    func answer(_ request: HTTPRequest) -> HTTPAnswer {
        .now(.json(200, Array("\(index)".utf8)))
    }
}

@Suite struct HTTPServerTests {
    @Test func connectionsThatArriveTogetherAreSpreadOverTheLoops() throws {
        var made = 0
        let running = try RunningServer({ $0.eventLoops = 2 }, start: false, handler: {
            defer { made += 1 }
            return LoopIndexHandler(index: made)
        })
        let clients = try (0..<64).map { _ in try running.client() }  // all in the backlog before a loop runs
        running.server.start()
        var perLoop = [0, 0]
        for client in clients {
            client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try #require(client.response())
            let loop = try #require(Int(response.text))
            perLoop[loop] += 1
        }
        // By the kernel's hash about 32 each; 8 is five standard deviations off. One shared socket: 64 and 0.
        #expect(perLoop.min() ?? 0 >= 8, "connections per loop: \(perLoop)")
    }

    @Test func aSecondServerOnTheSamePortIsAddressInUse() throws {
        let first = try RunningServer({ $0.eventLoops = 2 }, handler: { EchoHandler() })
        var configuration = HTTPServerConfiguration(address: try #require(SocketAddress(ipLiteral: "127.0.0.1", port: first.port)))
        configuration.eventLoops = 2
        #expect(throws: SystemError.self) {
            _ = try HTTPServer(configuration: configuration, logger: Logger(minimumLevel: .error), makeHandler: { EchoHandler() })
        }
        let client = try first.client()
        client.send("GET /still HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(client.response()?.text == "{\"path\":\"/still\"}")
    }

    @Test func responsesCarryDateServerAndTheConfiguredCommonHeaders() throws {
        let running = try RunningServer(handler: { EchoHandler() })
        let client = try running.client()
        for path in ["/a", "/b"] {
            client.send("GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try #require(client.response())
            #expect(response.status == 200 && response.text == "{\"path\":\"\(path)\"}")
            #expect(response.headers["access-control-allow-origin"] == "*")
            #expect(response.headers["server"] == "status")
            #expect(response.headers["date"]?.hasSuffix("GMT") == true)
        }
    }

    @Test(arguments: [
        ("GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: t\r\n\r\n", 414),
        ("GET / HTTP/1.1\r\nHost: t\r\nX: " + String(repeating: "b", count: 17000) + "\r\n\r\n", 431),
        ("GET / HTTP/1.1\r\nHost: t\r\n" + (1...101).map { "X\($0): y\r\n" }.joined() + "\r\n", 431),
        ("GET / HTTP/1.1\r\n\r\n", 400),
        ("GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505),
        ("GET /\u{1} HTTP/1.1\r\nHost: t\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n", 413),
        ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n", 400),
    ] as [(String, Int)])
    func refusedRequestsGetTheirStatusAsJSONWithTheCommonHeadersAndAClose(request: String, status: Int) throws {
        let running = try RunningServer(handler: { EchoHandler() })
        defer { withExtendedLifetime(running) {} }  // its deinit would close connections too
        let client = try running.client()
        client.send(request)
        let response = try #require(client.response())
        #expect(response.status == status)
        #expect(response.headers["content-type"] == "application/json; charset=utf-8")
        #expect(response.text.hasPrefix("{\"error\":"))
        #expect(response.headers["access-control-allow-origin"] == "*")
        #expect(client.isClosedByServer())
    }

    @Test func ipv6ListenerServes() throws {
        let running = try RunningServer(ipv6: true, handler: { EchoHandler() })
        let client = try running.client()
        client.send("GET /v6 HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(client.response()?.text == "{\"path\":\"/v6\"}")
    }

    @Test func shutdownDeliversAnInFlightResponseThenReturns() throws {
        let running = try RunningServer(handler: { EchoHandler() })
        defer { withExtendedLifetime(running) {} }  // its deinit would close connections too
        let busy = try running.client()
        let idle = try running.client()
        busy.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.05)
        let started = Date()
        running.server.shutdown(gracePeriod: 2)
        #expect(Date().timeIntervalSince(started) < 1.5)
        let response = try #require(busy.response())
        #expect(response.status == 200 && response.headers["connection"] == "close")
        #expect(idle.isClosedByServer())
    }
}
