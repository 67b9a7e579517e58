// The pure, incremental HTTP/1.x request-head parser (RFC 9112): bytes in; complete head + bytes consumed,
// incomplete, or invalid with the status to answer. No I/O and no allocation for headers it does not keep.

/// A parsed head plus what the connection needs to frame the body and the response.
public struct HTTPRequestHead: Sendable {
    public var request: HTTPRequest
    public enum Body: Equatable, Sendable { case none, length(Int), chunked }
    public var body: Body
    public var keepAlive: Bool
    public var expectContinue: Bool
}

public struct HTTPParserLimits: Sendable {
    public var maxRequestLineBytes: Int
    public var maxHeaderBytes: Int
    public var maxHeaderCount: Int

    public init(maxRequestLineBytes: Int = 8192, maxHeaderBytes: Int = 16384, maxHeaderCount: Int = 100) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
    }
}

public enum HTTPParseResult: Sendable {
    case complete(HTTPRequestHead, consumed: Int)
    case incomplete
    case invalid(status: Int, reason: String)
}

public enum HTTPParser {
    static let cr: UInt8 = 13, lf: UInt8 = 10, space: UInt8 = 32, tab: UInt8 = 9, colon: UInt8 = 58

    /// Parses the head at the start of `bytes`. Up to 8 empty lines before it are skipped (RFC 9112 §2.2).
    public static func parse(_ bytes: UnsafeRawBufferPointer, limits: HTTPParserLimits) -> HTTPParseResult {
        var start = 0
        var skipped = 0
        while start < bytes.count, bytes[start] == cr || bytes[start] == lf, skipped < 16 {
            if bytes[start] == cr {
                guard start + 1 < bytes.count else { return .incomplete }
                guard bytes[start + 1] == lf else { return .invalid(status: 400, reason: "bare CR") }
                start += 2
            } else {
                start += 1
            }
            skipped += 1
        }
        // The request line.
        guard let lineEnd = findLF(bytes, from: start, limit: start + limits.maxRequestLineBytes + 2) else {
            return bytes.count - start > limits.maxRequestLineBytes
                ? .invalid(status: 414, reason: "request line too long") : .incomplete
        }
        let lineStop = lineEnd > start && bytes[lineEnd - 1] == cr ? lineEnd - 1 : lineEnd
        guard lineStop - start <= limits.maxRequestLineBytes else {
            return .invalid(status: 414, reason: "request line too long")
        }
        let line: RequestLine
        switch parseRequestLine(bytes, start, lineStop) {
        case .success(let parsed): line = parsed
        case .failure(let problem): return .invalid(status: problem.status, reason: problem.reason)
        }
        // Header fields, up to the empty line.
        var headers: [(name: String, value: String)] = []
        var cursor = lineEnd + 1
        let headerStart = cursor
        while true {
            let limit = headerStart + limits.maxHeaderBytes + 2
            guard let end = findLF(bytes, from: cursor, limit: limit) else {
                return bytes.count - headerStart > limits.maxHeaderBytes
                    ? .invalid(status: 431, reason: "header fields too large") : .incomplete
            }
            guard end - headerStart <= limits.maxHeaderBytes else {
                return .invalid(status: 431, reason: "header fields too large")
            }
            let stop = end > cursor && bytes[end - 1] == cr ? end - 1 : end
            if stop == cursor { cursor = end + 1; break }
            guard headers.count < limits.maxHeaderCount else {
                return .invalid(status: 431, reason: "too many header fields")
            }
            switch parseHeaderField(bytes, cursor, stop) {
            case .success(let field): headers.append(field)
            case .failure(let problem): return .invalid(status: problem.status, reason: problem.reason)
            }
            cursor = end + 1
        }
        let request = HTTPRequest(method: line.method, target: line.target, path: line.path, query: line.query,
                                  versionMajor: line.major, versionMinor: line.minor, headers: headers)
        switch semantics(request) {
        case .success(let head): return .complete(head, consumed: cursor)
        case .failure(let problem): return .invalid(status: problem.status, reason: problem.reason)
        }
    }

    struct Problem: Error {
        var status: Int
        var reason: String
        init(_ status: Int, _ reason: String) { self.status = status; self.reason = reason }
    }

    struct RequestLine {
        var method: String, target: String, path: String, query: String?, major: Int, minor: Int
    }

    static func findLF(_ bytes: UnsafeRawBufferPointer, from: Int, limit: Int) -> Int? {
        var index = from
        let stop = min(bytes.count, limit)
        while index < stop {
            if bytes[index] == lf { return index }
            index += 1
        }
        return nil
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
        let target = string(bytes, targetStart, index)
        let versionStart = index + 1
        guard stop - versionStart == 8, string(bytes, versionStart, versionStart + 5) == "HTTP/",
              bytes[versionStart + 6] == 46,
              let major = digit(bytes[versionStart + 5]), let minor = digit(bytes[versionStart + 7]) else {
            return .failure(Problem(400, "malformed HTTP version"))
        }
        guard major == 1 else { return .failure(Problem(505, "HTTP/\(major).\(minor) is not supported; use HTTP/1.1")) }
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

    /// Host, Content-Length, Transfer-Encoding, Connection and Expect rules, including the smuggling defences.
    static func semantics(_ request: HTTPRequest) -> Result<HTTPRequestHead, Problem> {
        var hosts = 0
        var contentLength: Int?
        var transferEncoding: [String] = []
        var connectionTokens: [String] = []
        var expect: String?
        for (name, value) in request.headers {
            switch name.utf8.count {
            case 4 where HTTPRequest.sameFieldName(name, "host"):
                hosts += 1
            case 14 where HTTPRequest.sameFieldName(name, "content-length"):
                for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                    let text = item.trimmingSpaces()
                    guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                          let length = Int(text) else {
                        return .failure(Problem(400, "invalid Content-Length"))
                    }
                    if let contentLength, contentLength != length {
                        return .failure(Problem(400, "conflicting Content-Length values"))
                    }
                    contentLength = length
                }
            case 17 where HTTPRequest.sameFieldName(name, "transfer-encoding"):
                transferEncoding += value.lowercased().split(separator: ",").map { $0.trimmingSpaces() }
            case 10 where HTTPRequest.sameFieldName(name, "connection"):
                connectionTokens += value.lowercased().split(separator: ",").map { $0.trimmingSpaces() }
            case 6 where HTTPRequest.sameFieldName(name, "expect"):
                expect = value.lowercased()
            default:
                break
            }
        }
        if request.versionMinor >= 1 {
            guard hosts == 1 else { return .failure(Problem(400, hosts == 0 ? "missing Host header" : "more than one Host header")) }
        } else if hosts > 1 {
            return .failure(Problem(400, "more than one Host header"))
        }
        var body = HTTPRequestHead.Body.none
        if !transferEncoding.isEmpty {
            guard contentLength == nil else {
                return .failure(Problem(400, "Content-Length together with Transfer-Encoding"))
            }
            guard request.versionMinor >= 1 else { return .failure(Problem(400, "Transfer-Encoding in an HTTP/1.0 request")) }
            guard transferEncoding.last == "chunked" else { return .failure(Problem(400, "the final transfer coding must be chunked")) }
            guard transferEncoding.count == 1 else { return .failure(Problem(501, "transfer codings other than chunked")) }
            body = .chunked
        } else if let contentLength, contentLength > 0 {
            body = .length(contentLength)
        }
        let keepAlive = request.versionMinor >= 1 ? !connectionTokens.contains("close") : connectionTokens.contains("keep-alive")
        if let expect, expect != "100-continue" { return .failure(Problem(417, "unsupported expectation")) }
        return .success(HTTPRequestHead(request: request, body: body, keepAlive: keepAlive,
                                        expectContinue: expect == "100-continue" && body != .none))
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
