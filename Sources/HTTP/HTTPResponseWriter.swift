// Serialises responses: status line, the server's own headers (Date, Server, Content-Length, Connection),
// the configured common headers (e.g. CORS) and the handler's, then the body unless the request was HEAD.
import Glibc

struct HTTPResponseWriter {
    private let commonHeaders: [UInt8]
    private var cachedDateSecond: time_t = -1
    private var cachedDate: [UInt8] = []
    private let counts: HTTPResponseCounts?
    /// This loop's shard of `counts`.
    private let shard: Int

    init(commonHeaders: [(name: String, value: String)], counts: HTTPResponseCounts? = nil, shard: Int = 0) {
        self.counts = counts
        self.shard = shard
        var bytes: [UInt8] = Array("Server: status\r\n".utf8)
        for (name, value) in commonHeaders { bytes += Array("\(name): \(value)\r\n".utf8) }
        self.commonHeaders = bytes
    }

    /// Queues the full response on `output`: the head in the queue's own buffer, the body after it.
    mutating func write(_ response: HTTPResponse, headOnly: Bool, keepAlive: Bool, http10: Bool, into output: inout OutputQueue) {
        let date = dateHeader()
        counts?.count(response.status, shard: shard)
        output.appendOwn { head in
            head.append(contentsOf: Self.statusLine(response.status))
            head.append(contentsOf: date)
            head.append(contentsOf: commonHeaders)
            HTTPResponse.appendLines(response.headers, to: &head)
            head.append(contentsOf: response.headerLines)
            if response.status != 304 && response.status != 204 && response.status >= 200 {
                head.append(contentsOf: Self.contentLengthName)
                Self.appendDecimal(response.body.count, to: &head)
                head.append(contentsOf: [13, 10])
            }
            if !keepAlive {
                head.append(contentsOf: "Connection: close\r\n".utf8)
            } else if http10 {
                head.append(contentsOf: "Connection: keep-alive\r\n".utf8)
            }
            head.append(contentsOf: [13, 10])
        }
        if !headOnly && response.status != 304 && response.status != 204 { output.append(response.body) }
    }

    /// "Date: <IMF-fixdate>\r\n", formatted once per second.
    private mutating func dateHeader() -> [UInt8] {
        var now = time(nil)
        if now != cachedDateSecond {
            var parts = tm()
            gmtime_r(&now, &parts)
            var buffer = [CChar](repeating: 0, count: 64)
            let length = strftime(&buffer, buffer.count, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &parts)
            cachedDate = buffer.prefix(length).map { UInt8(bitPattern: $0) }
            cachedDateSecond = now
        }
        return cachedDate
    }

    private static let contentLengthName = Array("Content-Length: ".utf8)

    /// The decimal digits of `value` (not negative), without making a String.
    static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        let value = max(0, value)
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        repeat {
            bytes.append(48 + UInt8(value / divisor % 10))
            divisor /= 10
        } while divisor > 0
    }

    /// "HTTP/1.1 200 OK\r\n", built once per status code in use (200 first: nearly every answer).
    private static let okStatusLine = Array("HTTP/1.1 200 OK\r\n".utf8)
    private static let commonStatusLines: [(status: Int, line: [UInt8])] =
        [304, 400, 404, 405, 408, 413, 414, 431, 503, 505].map { ($0, Array("HTTP/1.1 \($0) \(reason($0))\r\n".utf8)) }

    static func statusLine(_ status: Int) -> [UInt8] {
        if status == 200 { return okStatusLine }
        for common in commonStatusLines where common.status == status { return common.line }
        return Array("HTTP/1.1 \(status) \(reason(status))\r\n".utf8)
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 204: return "No Content"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 417: return "Expectation Failed"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        case 505: return "HTTP Version Not Supported"
        default: return "Status \(status)"
        }
    }
}
