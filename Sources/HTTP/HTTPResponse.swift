// A response as handlers build it (the server adds Date, Content-Length, Connection and the common headers), and
// what a handler is.
import Encoding

package struct HTTPResponse: Sendable {
    package var status: Int
    package var headers: [(name: String, value: String)]
    /// Header lines already serialised ("Name: value\r\n" each), written after `headers`: a handler that sends
    /// the same headers with many responses builds them once.
    package var headerLines: [UInt8]
    package var body: [UInt8]

    package init(status: Int, headers: [(name: String, value: String)] = [], headerLines: [UInt8] = [],
                 body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.headerLines = headerLines
        self.body = body
    }

    /// The value of a header field, whether in `headers` or in `headerLines` (matched case-insensitively).
    package func header(_ name: String) -> String? {
        if let field = headers.first(where: { HTTPRequest.sameFieldName($0.name, name) }) { return field.value }
        for line in headerLines.split(separator: 13) {
            let field = String(decoding: line.drop { $0 == 10 }, as: UTF8.self)
            guard let colon = field.firstIndex(of: ":") else { continue }
            if HTTPRequest.sameFieldName(String(field[..<colon]), name) {
                return String(field[field.index(after: colon)...].drop { $0 == " " })
            }
        }
        return nil
    }

    /// "Name: value\r\n" for each field, as `headerLines` holds them.
    package static func serialise(_ headers: [(name: String, value: String)]) -> [UInt8] {
        var lines: [UInt8] = []
        appendLines(headers, to: &lines)
        return lines
    }

    /// Appends "Name: value\r\n" for each field to `bytes` (a response head, or `headerLines`).
    static func appendLines(_ headers: [(name: String, value: String)], to bytes: inout [UInt8]) {
        for (name, value) in headers {
            bytes.append(contentsOf: name.utf8)
            bytes.append(contentsOf: [58, 32])
            bytes.append(contentsOf: value.utf8)
            bytes.append(contentsOf: [13, 10])
        }
    }

    /// A JSON response with `Content-Type: application/json; charset=utf-8`.
    package static func json(_ status: Int, _ body: [UInt8], headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json; charset=utf-8")] + headers, body: body)
    }

    /// The contract's error body: `{"error": "<message>"}`.
    package static func error(_ status: Int, _ message: String, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        json(status, Array("{\"error\":\(JSONText.string(message))}".utf8), headers: headers)
    }
}

/// A handler's answer to one request: the response itself, or a start that answers later.
package enum HTTPAnswer {
    /// Answered on the loop's thread: the loop queues it at once (no hand-over, nothing allocated for it).
    case now(HTTPResponse)
    /// Called at once on the loop's thread with the way back; that must be called exactly once, from any thread,
    /// now or later (e.g. after a database query on another queue).
    case later((@escaping @Sendable (HTTPResponse) -> Void) -> Void)
}

/// Answers requests. Each event loop has its own handler, used on that loop's thread only (so it may keep state
/// of its own without locks). The server keeps pipelined responses in request order, however they are answered.
package protocol HTTPHandler: AnyObject {
    func answer(_ request: HTTPRequest) -> HTTPAnswer
}

extension HTTPHandler {
    /// Calls `respond` with the answer, at once or later (for callers that need not tell the two apart).
    package func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        switch answer(request) {
        case .now(let response): respond(response)
        case .later(let start): start(respond)
        }
    }
}
