// The incremental request-head parser: called again each time more bytes of the same head have arrived, it resumes
// where it stopped — after the last complete line it parsed, and past the bytes of the current line it has already
// searched for a line feed (picohttpparser's `last_len` idea) — so every byte is looked at once however the head is
// cut, and a head sent one byte at a time costs what it costs in one piece. Pure: no I/O, and nothing allocated but
// the request line and the header fields it keeps.

package struct HTTPHeadParser {
    private enum Phase { case leadingLines, requestLine, headerFields }

    package let limits: HTTPParserLimits
    private var phase = Phase.leadingLines
    /// Start of the line being parsed (or of the next byte to skip before the request line).
    private var cursor = 0
    /// Bytes from `cursor` up to here hold no line feed: the search for the line's end resumes here.
    private var searched = 0
    private var skippedLines = 0
    private var requestLine: HTTPParser.RequestLine?
    private var headerStart = 0
    private var headers: [(name: String, value: String)] = []
    /// Bytes looked at in the search for line ends since this parser was made (what the tests measure).
    package private(set) var bytesSearched = 0

    package init(limits: HTTPParserLimits) {
        self.limits = limits
    }

    /// Parses the head at the start of `bytes`, which begin with the bytes of every earlier call since the last
    /// `reset` (and may have more after them). After `.complete` or `.invalid` the parser starts afresh: the
    /// caller drops the consumed bytes before calling again.
    package mutating func parse(_ bytes: UnsafeRawBufferPointer) -> HTTPParseResult {
        let result = resume(bytes)
        if case .incomplete = result { return result }
        reset()
        return result
    }

    /// Forgets the head in progress (the connection dropped its input).
    package mutating func reset() {
        let searchedSoFar = bytesSearched
        self = HTTPHeadParser(limits: limits)
        bytesSearched = searchedSoFar
    }

    private mutating func resume(_ bytes: UnsafeRawBufferPointer) -> HTTPParseResult {
        if phase == .leadingLines {
            // Up to 16 empty lines before the request line are skipped (RFC 9112 §2.2).
            while cursor < bytes.count, bytes[cursor] == HTTPParser.cr || bytes[cursor] == HTTPParser.lf, skippedLines < 16 {
                if bytes[cursor] == HTTPParser.cr {
                    guard cursor + 1 < bytes.count else { return .incomplete }
                    guard bytes[cursor + 1] == HTTPParser.lf else { return .invalid(status: 400, reason: "bare CR") }
                    cursor += 2
                } else {
                    cursor += 1
                }
                skippedLines += 1
            }
            guard cursor < bytes.count || skippedLines == 16 else { return .incomplete }
            phase = .requestLine
            searched = cursor
        }
        if phase == .requestLine {
            guard let lineEnd = findLineEnd(bytes, limit: cursor + limits.maxRequestLineBytes + 2) else {
                return bytes.count - cursor > limits.maxRequestLineBytes
                    ? .invalid(status: 414, reason: "request line too long") : .incomplete
            }
            let lineStop = lineEnd > cursor && bytes[lineEnd - 1] == HTTPParser.cr ? lineEnd - 1 : lineEnd
            guard lineStop - cursor <= limits.maxRequestLineBytes else {
                return .invalid(status: 414, reason: "request line too long")
            }
            switch HTTPParser.parseRequestLine(bytes, cursor, lineStop) {
            case .success(let parsed): requestLine = parsed
            case .failure(let problem): return .invalid(status: problem.status, reason: problem.reason)
            }
            phase = .headerFields
            cursor = lineEnd + 1
            searched = cursor
            headerStart = cursor
        }
        // Header fields, up to the empty line.
        while true {
            guard let end = findLineEnd(bytes, limit: headerStart + limits.maxHeaderBytes + 2) else {
                return bytes.count - headerStart > limits.maxHeaderBytes
                    ? .invalid(status: 431, reason: "header fields too large") : .incomplete
            }
            guard end - headerStart <= limits.maxHeaderBytes else {
                return .invalid(status: 431, reason: "header fields too large")
            }
            let stop = end > cursor && bytes[end - 1] == HTTPParser.cr ? end - 1 : end
            if stop == cursor {
                cursor = end + 1
                break
            }
            guard headers.count < limits.maxHeaderCount else {
                return .invalid(status: 431, reason: "too many header fields")
            }
            switch HTTPParser.parseHeaderField(bytes, cursor, stop) {
            case .success(let field): headers.append(field)
            case .failure(let problem): return .invalid(status: problem.status, reason: problem.reason)
            }
            cursor = end + 1
            searched = cursor
        }
        guard let line = requestLine else { return .invalid(status: 400, reason: "malformed request line") }
        let request = HTTPRequest(method: line.method, target: line.target, path: line.path, query: line.query,
                                  versionMajor: line.major, versionMinor: line.minor, headers: headers)
        switch HTTPRequestSemantics.head(request) {
        case .success(let head): return .complete(head, consumed: cursor)
        case .failure(let problem): return .invalid(status: problem.status, reason: problem.reason)
        }
    }

    /// The index of the line feed ending the line at `cursor`, searching only bytes not searched before and not
    /// past `limit`; nil (remembering how far it looked) when it has not arrived yet.
    private mutating func findLineEnd(_ bytes: UnsafeRawBufferPointer, limit: Int) -> Int? {
        let from = max(searched, cursor)
        let stop = min(bytes.count, limit)
        var index = from
        while index < stop, bytes[index] != HTTPParser.lf { index += 1 }
        bytesSearched += max(0, min(index + 1, stop) - from)
        guard index < stop else {
            searched = max(from, stop)
            return nil
        }
        return index
    }
}
