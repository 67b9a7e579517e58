// RFC 9112 rules that concern the API's targets and bodies, over a real loopback socket: absolute-form and
// percent-encoded targets, HEAD, and validators.
import Foundation
import Testing
@testable import API
import HTTP
import Logging
import Monitor
import Storage
import TestSupport

@Suite struct APIConformanceTests {
    /// The contract's API over a server.
    func apiServer() throws -> RunningServer {
        let board = StatusBoard(hosts: [HostStatus(id: 1, domain: "nas.lan")])
        let views = StatusViews(board: board)
        let writer = try startedWriter([])
        return try RunningServer(handler: { APIHandler(views: views, writer: writer) })
    }

    /// Sends `request` on a new connection and returns the one response.
    func exchange(_ running: RunningServer, _ request: String) throws -> (TestHTTPClient, TestHTTPClient.Response) {
        let client = try running.client()
        client.send(request)
        return (client, try #require(client.response()))
    }

    @Test func anAbsoluteFormTargetIsServedByItsPath() throws {
        let running = try apiServer()
        let (_, response) = try exchange(running, "GET http://status.lan:8080/status/service/nas.lan HTTP/1.1\r\nHost: status.lan\r\n\r\n")
        #expect(response.status == 200 && response.text.contains("\"domain\":\"nas.lan\""))
    }

    @Test func percentEncodedTargetsAreDecoded() throws {
        let running = try apiServer()
        let (_, response) = try exchange(running, "GET /status/service/nas%2Elan HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(response.status == 200)
    }

    @Test(arguments: ["%zz", "nas%2", "nas%", "%G0"])
    func anInvalidPercentEscapeIs400(escape: String) throws {
        let running = try apiServer()
        let (_, response) = try exchange(running, "GET /status/service/\(escape) HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(response.status == 400)
    }

    @Test func anEncodedNULIs400() throws {
        let running = try apiServer()
        let (_, response) = try exchange(running, "GET /status/service/nas%00.lan HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(response.status == 400)
    }

    @Test func headGetsTheHeadersOfGetWithoutTheBodyEvenOnErrors() throws {
        let running = try apiServer()
        let client = try running.client()
        client.send("HEAD /status HTTP/1.1\r\nHost: t\r\n\r\nHEAD /nope HTTP/1.1\r\nHost: t\r\n\r\nGET /status/down HTTP/1.1\r\nHost: t\r\n\r\n")
        let head = try #require(client.response(headOnly: true))
        #expect(head.status == 200 && head.body.isEmpty && Int(head.headers["content-length"] ?? "") ?? 0 > 2)
        let missing = try #require(client.response(headOnly: true))
        #expect(missing.status == 404 && Int(missing.headers["content-length"] ?? "") ?? 0 > 0)
        #expect(client.response()?.text == "[]", "no body bytes were sent for either HEAD")
    }

    @Test func ifNoneMatchWithTheCurrentETagIs304WithoutABody() throws {
        let running = try apiServer()
        let (client, first) = try exchange(running, "GET /status HTTP/1.1\r\nHost: t\r\n\r\n")
        let etag = try #require(first.headers["etag"])
        client.send("GET /status HTTP/1.1\r\nHost: t\r\nIf-None-Match: \(etag)\r\n\r\nGET /status/down HTTP/1.1\r\nHost: t\r\n\r\n")
        let notModified = try #require(client.response())
        #expect(notModified.status == 304 && notModified.body.isEmpty && notModified.headers["content-length"] == nil)
        #expect(client.response()?.text == "[]", "the connection goes on after a 304")
    }
}
