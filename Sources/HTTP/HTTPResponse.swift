// A response as handlers build it (the server adds Date, Content-Length, Connection and the common headers), and
// what a handler is.
import Encoding

package struct HTTPResponse: Sendable {
    package var status: Int
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]

    package init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
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

/// Answers requests. Each event loop has its own handler, used on that loop's thread only (so it may keep state
/// of its own without locks). `respond` must be called exactly once, from any thread, now or later (e.g. after a
/// database query on another queue); the server keeps pipelined responses in request order.
package protocol HTTPHandler: AnyObject {
    func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void)
}
