// The HTTP server over real loopback sockets: keep-alive, in-order pipelining with late answers, HEAD,
// connection rules, limits and timeouts, the connection cap, bodies, and graceful shutdown.
import Dispatch
import Foundation
import Testing
@testable import StatusCore

/// Answers `/slow` 200 ms later from another thread, everything else at once with the path as body.
final class EchoHandler: HTTPHandler, @unchecked Sendable {
    func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        let body = Array("{\"path\":\(JSONText.string(request.path))}".utf8)
        if request.path == "/slow" {
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { respond(.json(200, body)) }
        } else {
            respond(.json(200, body))
        }
    }
}

final class RunningServer {
    let server: HTTPServer
    var port: UInt16 { server.boundAddress.port }

    init(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in }, ipv6: Bool = false) throws {
        var configuration = HTTPServerConfiguration(address: SocketAddress(ipLiteral: ipv6 ? "::1" : "127.0.0.1", port: 0)!,
                                                    commonHeaders: [("Access-Control-Allow-Origin", "*")])
        configure(&configuration)
        server = try HTTPServer(configuration: configuration, handler: EchoHandler(), logger: Logger(minimumLevel: .error))
        server.start()
    }

    func client() throws -> TestHTTPClient { try TestHTTPClient(port: port, ipv6: server.boundAddress.family == AF_INET6) }

    deinit { server.shutdown(gracePeriod: 1) }
}

@Suite struct HTTPServerTests {
    @Test func keepAliveServesSeveralRequestsOnOneConnection() throws {
        let running = try RunningServer()
        let client = try running.client()
        for path in ["/a", "/b", "/c"] {
            client.send("GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try #require(client.response())
            #expect(response.status == 200 && response.text == "{\"path\":\"\(path)\"}")
            #expect(response.headers["connection"] == nil)
            #expect(response.headers["access-control-allow-origin"] == "*")
            #expect(response.headers["date"]?.hasSuffix("GMT") == true)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrderEvenWhenTheFirstAnswersLate() throws {
        let running = try RunningServer()
        let client = try running.client()
        client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\nGET /fast HTTP/1.1\r\nHost: t\r\n\r\nHEAD /head HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(client.response()?.text == "{\"path\":\"/slow\"}")
        #expect(client.response()?.text == "{\"path\":\"/fast\"}")
        let head = try #require(client.response(headOnly: true))
        #expect(head.status == 200 && head.body.isEmpty && head.headers["content-length"] == "\("{\"path\":\"/head\"}".utf8.count)")
    }

    @Test func headHasContentLengthButNoBody() throws {
        let running = try RunningServer()
        let client = try running.client()
        client.send("HEAD /status HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        let response = try #require(client.response(headOnly: true))
        #expect(response.headers["content-length"] == "\("{\"path\":\"/status\"}".utf8.count)")
        #expect(client.isClosedByServer(), "no body bytes follow; the server closes")
    }

    @Test func connectionCloseAndHTTP10CloseAfterTheResponse() throws {
        let running = try RunningServer()
        let closing = try running.client()
        closing.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGET /ignored HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(closing.response()?.headers["connection"] == "close")
        #expect(closing.isClosedByServer())
        let old = try running.client()
        old.send("GET / HTTP/1.0\r\n\r\n")
        #expect(old.response()?.status == 200)
        #expect(old.isClosedByServer())
        let oldKeepAlive = try running.client()
        oldKeepAlive.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(oldKeepAlive.response()?.headers["connection"] == "keep-alive")
        oldKeepAlive.send("GET /again HTTP/1.0\r\n\r\n")
        #expect(oldKeepAlive.response()?.text == "{\"path\":\"/again\"}")
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
    func badRequestsGetTheirStatusAsJSONAndAClose(request: String, status: Int) throws {
        let running = try RunningServer()
        let client = try running.client()
        client.send(request)
        let response = try #require(client.response())
        #expect(response.status == status)
        #expect(response.headers["content-type"] == "application/json; charset=utf-8")
        #expect(response.text.hasPrefix("{\"error\":"))
        #expect(response.headers["access-control-allow-origin"] == "*")
        #expect(client.isClosedByServer())
    }

    @Test func aSlowHeadGets408AndAnIdleConnectionIsClosed() throws {
        let running = try RunningServer { $0.headerTimeout = 0.5; $0.idleTimeout = 0.5 }
        let slow = try running.client()
        slow.send("GET /status HTTP/1.1\r\nHo")
        let started = Date()
        #expect(slow.response()?.status == 408)
        #expect(Date().timeIntervalSince(started) < 1.5)
        let idle = try running.client()
        idle.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(idle.response()?.status == 200)
        #expect(idle.isClosedByServer(), "closed after the idle timeout, within the client's 3 s receive timeout")
    }

    @Test func connectionsOverTheLimitGet503AndExistingOnesKeepWorking() throws {
        let running = try RunningServer { $0.maxConnections = 2 }
        let first = try running.client()
        let second = try running.client()
        first.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(first.response()?.status == 200)
        let third = try running.client()
        #expect(third.response()?.status == 503)
        second.send("GET /second HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(second.response()?.status == 200)
    }

    @Test func requestBodiesAreReadAndDiscarded() throws {
        let running = try RunningServer()
        let client = try running.client()
        client.send("POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(client.response()?.text == "{\"path\":\"/a\"}")
        #expect(client.response()?.text == "{\"path\":\"/b\"}")
        client.send("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        #expect(client.response()?.text == "{\"path\":\"/c\"}")
        client.send("POST /d HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
        #expect(client.response()?.status == 100)
        client.send("xyz")
        #expect(client.response()?.text == "{\"path\":\"/d\"}")
    }

    @Test func ipv6ListenerServes() throws {
        let running = try RunningServer(ipv6: true)
        let client = try running.client()
        client.send("GET /v6 HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(client.response()?.text == "{\"path\":\"/v6\"}")
    }

    @Test func shutdownDeliversAnInFlightResponseThenReturns() throws {
        let running = try RunningServer()
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
