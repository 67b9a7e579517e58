// The incremental head parser: a head that arrives in pieces gives what it gives in one piece, whatever the cuts,
// and each byte is searched once, so a 16 KiB head sent one byte at a time costs what it costs whole.
import Testing
@testable import HTTP

@Suite struct HTTPHeadParserTests {
    let limits = HTTPParserLimits()

    /// The result as text, so results can be compared.
    func describe(_ result: HTTPParseResult) -> String {
        switch result {
        case .incomplete: return "incomplete"
        case .invalid(let status, let reason): return "invalid \(status) \(reason)"
        case .complete(let head, let consumed):
            return "complete \(consumed) \(head.request.method) \(head.request.target) \(head.request.headers.map { "\($0.name)=\($0.value)" }) \(head.body) \(head.keepAlive)"
        }
    }

    func whole(_ text: [UInt8]) -> String { text.withUnsafeBytes { describe(HTTPParser.parse($0, limits: limits)) } }

    /// Feeds the first `cut` bytes, then the whole, to one parser; the last result.
    func inTwo(_ text: [UInt8], cut: Int) -> String {
        var parser = HTTPHeadParser(limits: limits)
        let first = text.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[0..<cut])) }
        if case .incomplete = first {
            return text.withUnsafeBytes { describe(parser.parse($0)) }
        }
        return describe(first)
    }

    static let requests: [String] = [
        "GET /status HTTP/1.1\r\nHost: status.lan\r\nAccept: */*\r\n\r\n",
        "\r\n\r\nGET /a?b=c HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /next HTTP/1.1\r\n",
        "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello",
        "GET / HTTP/1.1\nHost: t\n\n",
        "GET / HTTP/1.1\r\nHost: t\r\n Folded: no\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: t\r\nBad Name: x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET / HTTP/2.0\r\nHost: t\r\n\r\n",
        "\rX",
    ]

    @Test(arguments: requests)
    func everyCutGivesTheWholeResult(request: String) {
        let bytes = Array(request.utf8)
        let expected = whole(bytes)
        for cut in 0...bytes.count {
            #expect(inTwo(bytes, cut: cut) == expected, "cut at \(cut)")
        }
    }

    /// The head of a slowloris: request line and 99 header fields, 16 KiB in all, one byte per read.
    @Test func aHeadSentOneByteAtATimeIsSearchedOnce() throws {
        var text = "GET /status HTTP/1.1\r\nHost: status.lan\r\n"
        var field = 0
        while text.utf8.count < 16_000 {
            text += "X-Field-\(field): " + String(repeating: "v", count: 150) + "\r\n"
            field += 1
        }
        text += "\r\n"
        let bytes = Array(text.utf8)
        #expect(field < limits.maxHeaderCount && bytes.count <= limits.maxHeaderBytes + 100)
        var parser = HTTPHeadParser(limits: limits)
        var result = HTTPParseResult.incomplete
        for end in 1...bytes.count {
            result = bytes.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[0..<end])) }
            if case .incomplete = result { continue }
            #expect(end == bytes.count, "complete only with the last byte")
        }
        guard case .complete(let head, let consumed) = result else { Issue.record("\(describe(result))"); return }
        #expect(consumed == bytes.count && head.request.headers.count == field + 1)
        // Parsing from the start on every read would search about n²/2 = 128 million bytes.
        #expect(parser.bytesSearched <= bytes.count, "searched \(parser.bytesSearched) bytes for a \(bytes.count)-byte head")
    }
}
