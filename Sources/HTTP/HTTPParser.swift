// The pieces of the HTTP/1.x request-head parser (RFC 9112): the request line and header fields, each parsed from
// bytes in place. HTTPHeadParser drives them over a growing buffer; HTTPRequestSemantics reads the head's framing.

/// A parsed head plus what the connection needs to frame the body and the response.
package struct HTTPRequestHead: Sendable {
    package var request: HTTPRequest
    package enum Body: Equatable, Sendable { case none, length(Int), chunked }
    package var body: Body
    package var keepAlive: Bool
    package var expectContinue: Bool
}

package struct HTTPParserLimits: Sendable {
    package var maxRequestLineBytes: Int
    package var maxHeaderBytes: Int
    package var maxHeaderCount: Int

    package init(maxRequestLineBytes: Int = 8192, maxHeaderBytes: Int = 16384, maxHeaderCount: Int = 100) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
    }
}

package enum HTTPParseResult: Sendable {
    case complete(HTTPRequestHead, consumed: Int)
    case incomplete
    case invalid(status: Int, reason: String)
}

package enum HTTPParser {
    static let cr: UInt8 = 13, lf: UInt8 = 10, space: UInt8 = 32, tab: UInt8 = 9, colon: UInt8 = 58, slash: UInt8 = 47,
        question: UInt8 = 63

    /// Parses the head at the start of `bytes` in one go (what HTTPHeadParser gives for the whole buffer at once).
    package static func parse(_ bytes: UnsafeRawBufferPointer, limits: HTTPParserLimits) -> HTTPParseResult {
        var parser = HTTPHeadParser(limits: limits)
        return parser.parse(bytes)
    }

    struct Problem: Error {
        var status: Int
        var reason: String
        init(_ status: Int, _ reason: String) { self.status = status; self.reason = reason }
    }

    struct RequestLine {
        var method: String, target: String, path: String, query: String?, major: Int, minor: Int
    }

    /// RFC 9110 token characters.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 48...57, 65...90, 97...122: return true
        case 33, 35, 36, 37, 38, 39, 42, 43, 45, 46, 94, 95, 96, 124, 126: return true
        default: return false
        }
    }

    static func parseRequestLine(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ stop: Int) -> Result<RequestLine, Problem> {
        var index = start
        while index < stop, isTokenByte(bytes[index]) { index += 1 }
        guard index > start, index < stop, bytes[index] == space else {
            return .failure(Problem(400, "malformed request line"))
        }
        let method = string(bytes, start, index)
        let targetStart = index + 1
        index = targetStart
        while index < stop, bytes[index] > space, bytes[index] != 127 { index += 1 }
        guard index > targetStart, index < stop, bytes[index] == space else {
            return .failure(Problem(400, "malformed request target"))
        }
        let targetStop = index
        let target = string(bytes, targetStart, targetStop)
        let versionStart = index + 1
        guard stop - versionStart == 8, bytes[versionStart] == 72, bytes[versionStart + 1] == 84,
              bytes[versionStart + 2] == 84, bytes[versionStart + 3] == 80, bytes[versionStart + 4] == 47,
              bytes[versionStart + 6] == 46,
              let major = digit(bytes[versionStart + 5]), let minor = digit(bytes[versionStart + 7]) else {
            return .failure(Problem(400, "malformed HTTP version"))
        }
        guard major == 1 else { return .failure(Problem(505, "HTTP/\(major).\(minor) is not supported; use HTTP/1.1")) }
        if bytes[targetStart] == slash {
            // origin-form, nearly every request: split at the first "?" on the bytes.
            var mark = targetStart
            while mark < targetStop, bytes[mark] != question { mark += 1 }
            let query = mark < targetStop ? string(bytes, mark + 1, targetStop) : nil
            let path = mark < targetStop ? string(bytes, targetStart, mark) : target
            return .success(RequestLine(method: method, target: target, path: path, query: query, major: major, minor: minor))
        }
        guard let (path, query) = splitTarget(target, method: method) else {
            return .failure(Problem(400, "malformed request target"))
        }
        return .success(RequestLine(method: method, target: target, path: path, query: query, major: major, minor: minor))
    }

    /// origin-form "/p?q", absolute-form "http://host/p?q", asterisk-form "*" (OPTIONS), authority-form (CONNECT).
    static func splitTarget(_ target: String, method: String) -> (String, String?)? {
        var rest = Substring(target)
        if target == "*" { return method == "OPTIONS" ? ("*", nil) : nil }
        if method == "CONNECT" { return (target, nil) }
        if !rest.hasPrefix("/") {
            let lower = rest.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return nil }
            rest = rest.dropFirst(lower.hasPrefix("http://") ? 7 : 8)
            guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return ("/", nil) }
            rest = rest[slash...]
            if rest.hasPrefix("?") { rest = "/" + rest }
        }
        if let mark = rest.firstIndex(of: "?") {
            return (String(rest[..<mark]), String(rest[rest.index(after: mark)...]))
        }
        return (String(rest), nil)
    }

    static func parseHeaderField(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ stop: Int) -> Result<(name: String, value: String), Problem> {
        guard bytes[start] != space, bytes[start] != tab else {
            return .failure(Problem(400, "obsolete line folding is not accepted"))
        }
        var index = start
        while index < stop, isTokenByte(bytes[index]) { index += 1 }
        guard index < stop, bytes[index] == colon else {
            if index < stop, bytes[index] == space || bytes[index] == tab {
                return .failure(Problem(400, "whitespace between header name and colon"))
            }
            return .failure(Problem(400, index == start ? "empty header name" : "invalid character in header name"))
        }
        guard index > start else { return .failure(Problem(400, "empty header name")) }
        let name = string(bytes, start, index)
        var valueStart = index + 1
        var valueStop = stop
        while valueStart < valueStop, bytes[valueStart] == space || bytes[valueStart] == tab { valueStart += 1 }
        while valueStop > valueStart, bytes[valueStop - 1] == space || bytes[valueStop - 1] == tab { valueStop -= 1 }
        for position in valueStart..<valueStop {
            let byte = bytes[position]
            if (byte < space && byte != tab) || byte == 127 {
                return .failure(Problem(400, "control character in header value"))
            }
        }
        return .success((name, string(bytes, valueStart, valueStop)))
    }

    static func string(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ stop: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<stop]), as: UTF8.self)
    }

    static func digit(_ byte: UInt8) -> Int? {
        byte >= 48 && byte <= 57 ? Int(byte - 48) : nil
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        var slice = self[...]
        while slice.first == " " || slice.first == "\t" { slice = slice.dropFirst() }
        while slice.last == " " || slice.last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
