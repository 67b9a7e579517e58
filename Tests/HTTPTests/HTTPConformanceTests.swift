// RFC 9112 conformance of the HTTP server, one named test per rule of issue 3, each over a real loopback
// socket and asserting the exact status code or that the server closed the connection.
import Dispatch
import Foundation
import Glibc
import Testing
@testable import HTTP
import Logging
import Encoding
import Platform
import TestSupport

/// Answers `/big` with 100 KB, everything else with the path (and query) as a small JSON body.
final class SizedHandler: HTTPHandler {
    static let big = [UInt8](repeating: 0x61, count: 100_000)
    func answer(_ request: HTTPRequest) -> HTTPAnswer {
        if request.path == "/big" { return .now(.json(200, Self.big)) }
        return .now(.json(200, Array("{\"path\":\(JSONText.string(request.path))}".utf8)))
    }
}

@Suite struct HTTPConformanceTests {
    func server(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in }) throws -> RunningServer {
        try RunningServer(configure, handler: { SizedHandler() })
    }

    /// Sends `request` on a new connection and returns the one response.
    func exchange(_ running: RunningServer, _ request: String) throws -> (TestHTTPClient, TestHTTPClient.Response) {
        let client = try running.client()
        client.send(request)
        return (client, try #require(client.response()))
    }

    /// Sends `request` on a new connection to a fresh server; expects one answer with `status`, then the close.
    func expectAnsweredAndClosed(_ request: String, status: Int,
                                 configure: (inout HTTPServerConfiguration) -> Void = { _ in },
                                 sourceLocation: SourceLocation = #_sourceLocation) throws {
        let running = try server(configure)
        let (client, response) = try exchange(running, request)
        #expect(response.status == status, sourceLocation: sourceLocation)
        withExtendedLifetime(running) {  // a server shut down by its deinit would close the connection too
            #expect(client.isClosedByServer(), "the server closed the connection", sourceLocation: sourceLocation)
        }
    }

    // MARK: persistence

    @Test func http11ConnectionsPersistByDefault() throws {
        let running = try server()
        let (client, first) = try exchange(running, "GET /one HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(first.status == 200 && first.headers["connection"] == nil)
        client.send("GET /two HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(client.response()?.text == "{\"path\":\"/two\"}")
    }

    @Test func http10ConnectionsCloseAfterOneResponse() throws {
        try expectAnsweredAndClosed("GET / HTTP/1.0\r\n\r\n", status: 200)
    }

    @Test func http10ConnectionsPersistOnKeepAlive() throws {
        let running = try server()
        let (client, response) = try exchange(running, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(response.status == 200 && response.headers["connection"] == "keep-alive")
        client.send("GET /again HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(client.response()?.text == "{\"path\":\"/again\"}")
    }

    @Test func connectionCloseIsHonouredAndLaterPipelinedRequestsAreNotAnswered() throws {
        let running = try server()
        defer { withExtendedLifetime(running) {} }  // its deinit would close connections too
        let (client, response) = try exchange(running,
            "GET /last HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGET /ignored HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(response.status == 200 && response.headers["connection"] == "close")
        #expect(client.isClosedByServer())
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let running = try RunningServer(handler: { EchoHandler() })  // EchoHandler: /slow answers 200 ms late, from another thread
        let (client, first) = try exchange(running,
            "GET /slow HTTP/1.1\r\nHost: t\r\n\r\nGET /fast HTTP/1.1\r\nHost: t\r\n\r\nGET /third HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(first.text == "{\"path\":\"/slow\"}")
        #expect(client.response()?.text == "{\"path\":\"/fast\"}")
        #expect(client.response()?.text == "{\"path\":\"/third\"}")
    }

    // MARK: request bodies

    @Test func aContentLengthBodyIsReadAndDiscarded() throws {
        let running = try server()
        let (client, response) = try exchange(running,
            "POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nGET /x HTTP")
        #expect(response.status == 200 && response.text == "{\"path\":\"/a\"}")
        client.send("GET /b HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(client.response()?.text == "{\"path\":\"/b\"}", "the body's bytes were not taken for a request")
    }

    @Test func aChunkedBodyIsDecodedToItsEndAndDiscarded() throws {
        let running = try server()
        let (client, response) = try exchange(running,
            "POST /a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nGET \r\n0\r\nX-Trailer: 1\r\n\r\n")
        #expect(response.text == "{\"path\":\"/a\"}")
        client.send("GET /b HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(client.response()?.text == "{\"path\":\"/b\"}")
    }

    @Test func aBodyOverTheLimitIs413AndClosed() throws {
        try expectAnsweredAndClosed("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n", status: 413, configure: { $0.maxBodyBytes = 1000 })
    }

    @Test func aChunkedBodyGrowingOverTheLimitIs413AndClosed() throws {
        let running = try server { $0.maxBodyBytes = 1000 }
        defer { withExtendedLifetime(running) {} }  // its deinit would close connections too
        let chunk = "3e8\r\n" + String(repeating: "x", count: 1000) + "\r\n"
        let (client, response) = try exchange(running,
            "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + "1\r\nx\r\n0\r\n\r\n")
        #expect(response.status == 413)
        #expect(client.isClosedByServer())
    }

    @Test func expect100ContinueGets100ThenTheResponse() throws {
        let running = try server()
        let (client, interim) = try exchange(running,
            "POST /d HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
        #expect(interim.status == 100)
        client.send("xyz")
        #expect(client.response()?.text == "{\"path\":\"/d\"}")
    }

    @Test func expect100ContinueWithABodyOverTheLimitIs413WithoutA100() throws {
        try expectAnsweredAndClosed("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n", status: 413, configure: { $0.maxBodyBytes = 1000 })
    }

    @Test func anUnknownExpectationIs417() throws {
        try expectAnsweredAndClosed("GET / HTTP/1.1\r\nHost: t\r\nExpect: teapot\r\n\r\n", status: 417)
    }

    // MARK: targets, Host, versions

    @Test func http11WithoutHostIs400() throws {
        try expectAnsweredAndClosed("GET / HTTP/1.1\r\n\r\n", status: 400)
    }

    @Test func twoHostHeadersAre400() throws {
        try expectAnsweredAndClosed("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400)
    }

    @Test(arguments: ["HTTP/2.0", "HTTP/3.0", "HTTP/9.9"])
    func anUnknownMajorVersionIs505(version: String) throws {
        try expectAnsweredAndClosed("GET / \(version)\r\nHost: t\r\n\r\n", status: 505)
    }

    @Test func aHigherHTTP1MinorVersionIsServedAs11() throws {
        let running = try server()
        let (_, response) = try exchange(running, "GET /x HTTP/1.7\r\nHost: t\r\n\r\n")
        #expect(response.status == 200)
    }

    // MARK: request smuggling

    @Test func duplicateDifferentContentLengthsAre400() throws {
        try expectAnsweredAndClosed("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", status: 400)
    }

    @Test func anOverflowingContentLengthIs400() throws {
        try expectAnsweredAndClosed("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 18446744073709551617\r\n\r\n", status: 400)
    }

    @Test func aNegativeContentLengthIs400() throws {
        try expectAnsweredAndClosed("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n", status: 400)
    }

    @Test func contentLengthWithTransferEncodingIs400() throws {
        try expectAnsweredAndClosed("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400)
    }

    // MARK: limits

    @Test func aRequestLineOverTheLimitIs414() throws {
        try expectAnsweredAndClosed("GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: t\r\n\r\n", status: 414)
    }

    @Test func aHeaderBlockOverTheLimitIs431() throws {
        try expectAnsweredAndClosed("GET / HTTP/1.1\r\nHost: t\r\nX: " + String(repeating: "b", count: 17000) + "\r\n\r\n", status: 431)
    }

    @Test func tooManyHeaderFieldsAre431() throws {
        try expectAnsweredAndClosed("GET / HTTP/1.1\r\nHost: t\r\n" + (1...101).map { "X\($0): y\r\n" }.joined() + "\r\n", status: 431)
    }

    @Test func aHeadThatDoesNotArriveInTimeIs408AndClosed() throws {
        let running = try server { $0.headerTimeout = 0.5 }
        defer { withExtendedLifetime(running) {} }  // its deinit would close connections too
        let client = try running.client()
        client.send("GET / HTTP/1.1\r\nHo")
        let started = Date()
        #expect(client.response()?.status == 408)
        #expect(Date().timeIntervalSince(started) < 1.5)
        #expect(client.isClosedByServer())
    }

    @Test func anIdleKeepAliveConnectionIsClosed() throws {
        let running = try server { $0.idleTimeout = 0.5 }
        defer { withExtendedLifetime(running) {} }  // its deinit would close connections too
        let (client, response) = try exchange(running, "GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(response.status == 200)
        let started = Date()
        #expect(client.isClosedByServer())
        #expect(Date().timeIntervalSince(started) < 1.5)
    }

    @Test func connectionsOverTheLimitGet503AndCloseWhileExistingOnesKeepWorking() throws {
        let running = try server { $0.maxConnections = 2 }
        defer { withExtendedLifetime(running) {} }  // its deinit would close connections too
        let first = try running.client()
        let second = try running.client()
        first.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(first.response()?.status == 200)
        let third = try running.client()
        #expect(third.response()?.status == 503)
        #expect(third.isClosedByServer())
        second.send("GET /second HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(second.response()?.status == 200)
        first.send("GET /first HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(first.response()?.status == 200)
    }

    // MARK: back-pressure

    @Test func aClientThatDoesNotReadStallsNoOneAndLosesNothing() throws {
        let running = try server { $0.maxPendingOutputBytes = 64 * 1024; $0.eventLoops = 1 }
        let reader = try running.client()
        let hoarder = try running.client()
        let requests = 100  // 10 MB of answers, far beyond the socket buffers
        hoarder.send(String(repeating: "GET /big HTTP/1.1\r\nHost: t\r\n\r\n", count: requests))
        Thread.sleep(forTimeInterval: 0.3)
        for index in 0..<20 {  // the same event loop still serves another client at once
            let started = Date()
            reader.send("GET /r\(index) HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(reader.response()?.text == "{\"path\":\"/r\(index)\"}")
            #expect(Date().timeIntervalSince(started) < 0.5)
        }
        var received = 0
        while received < requests, let response = hoarder.response(), response.status == 200, response.body.count == 100_000 {
            received += 1
        }
        #expect(received == requests, "every pipelined answer arrives once the client reads")
    }

}
