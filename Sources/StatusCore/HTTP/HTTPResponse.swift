// A response as handlers build it; the server adds Date, Content-Length, Connection and the common headers.

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response with `Content-Type: application/json; charset=utf-8`.
    public static func json(_ status: Int, _ body: [UInt8], headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json; charset=utf-8")] + headers, body: body)
    }

    /// The contract's error body: `{"error": "<message>"}`.
    public static func error(_ status: Int, _ message: String, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        json(status, Array("{\"error\":\(JSONText.string(message))}".utf8), headers: headers)
    }
}

/// Answers requests. `respond` must be called exactly once, from any thread, now or later (e.g. after a
/// database query on another queue); the server keeps pipelined responses in request order.
public protocol HTTPHandler: AnyObject, Sendable {
    func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void)
}
