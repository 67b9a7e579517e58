// The API handler over a status board: bodies reused until the board changes, ETag and 304, routes.
import Dispatch
import Foundation
import Testing
@testable import API
import HTTP
import Logging
import Monitor
import Storage
import Uptime
import TestSupport

/// A writer over an in-memory store, started (so reads answer).
func startedWriter(_ domains: [String]) throws -> StoreWriter {
    let writer = try StoreWriter(store: InMemoryStore(), domains: domains, logger: Logger(minimumLevel: .error))
    writer.start()
    return writer
}

@Suite struct APIHandlerTests {
    func makeHandler() throws -> (APIHandler, StatusBoard) {
        let board = StatusBoard(hosts: [
            HostStatus(id: 1, domain: "nas.lan"),
            HostStatus(id: 2, domain: "::1"),
        ])
        return (APIHandler(board: board, writer: try startedWriter(["nas.lan", "::1"])), board)
    }

    func get(_ handler: APIHandler, _ path: String, headers: [(name: String, value: String)] = []) -> HTTPResponse? {
        let response = Delivery<HTTPResponse>()
        handler.handle(HTTPRequest(method: "GET", target: path, path: path, query: nil, versionMajor: 1, versionMinor: 1,
                                   headers: headers)) { response.deliver($0) }
        return response.wait()
    }

    func etag(_ response: HTTPResponse?) -> String? { response?.header("ETag") }

    @Test func anUnchangedBoardAnswers304ToItsETagAndAChangeGivesANewBody() throws {
        let (handler, board) = try makeHandler()
        let first = try #require(get(handler, "/status"))
        let tag = try #require(etag(first))
        #expect(first.status == 200 && String(decoding: first.body, as: UTF8.self).contains("\"nas.lan\""))
        let again = get(handler, "/status", headers: [("If-None-Match", "\"other\", W/\(tag)")])
        #expect(again?.status == 304 && again?.body.isEmpty == true && etag(again) == tag)
        #expect(get(handler, "/status/down", headers: [("If-None-Match", tag)])?.status == 304)
        board.ping(0, down: true)
        let changed = try #require(get(handler, "/status", headers: [("If-None-Match", tag)]))
        #expect(changed.status == 200 && etag(changed) != tag)
        let down = String(decoding: get(handler, "/status/down")?.body ?? [], as: UTF8.self)
        #expect(down.contains("\"nas.lan\""))
    }

    @Test func aHostNotPingedYetIsReportedUpEvenWithAnIncidentFromBeforeARestart() throws {
        let board = StatusBoard(hosts: [
            HostStatus(id: 1, domain: "nas.lan", isDown: true, downSince: Date()),
        ])
        let handler = APIHandler(board: board, writer: try startedWriter([]))
        #expect(get(handler, "/status/down").map { String(decoding: $0.body, as: UTF8.self) } == "[]")
        #expect(get(handler, "/status/service/nas.lan").map { String(decoding: $0.body, as: UTF8.self) }?
                    .contains("\"status\":true") == true)
        board.ping(0, down: true)
        #expect(get(handler, "/status/down").map { String(decoding: $0.body, as: UTF8.self) }?.contains("nas.lan") == true,
                "after its first ping the host is down")
    }

    @Test func routesAndErrors() throws {
        let (handler, _) = try makeHandler()
        #expect(get(handler, "/status/service/%5B::1%5D")?.status == 200)
        #expect(get(handler, "/status/service/nope")?.status == 404)
        #expect(get(handler, "/status/service/%00")?.status == 400)
        #expect(get(handler, "/status/service/nas.lan/incidents").map { String(decoding: $0.body, as: UTF8.self) } == "[]")
        #expect(get(handler, "/other")?.status == 404)
    }
}
