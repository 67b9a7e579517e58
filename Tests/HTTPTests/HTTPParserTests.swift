// The request parser as named case tables: valid heads, every prefix incomplete, pipelining, and each way a
// head is refused (with the status the server answers).
import Testing
@testable import HTTP
import Logging
import Platform
import TestSupport

enum Expected: Equatable {
    case complete(method: String, path: String, query: String?, consumed: Int)
    case incomplete
    case invalid(Int)
}

func parse(_ text: String, limits: HTTPParserLimits = HTTPParserLimits()) -> HTTPParseResult {
    Array(text.utf8).withUnsafeBytes { HTTPParser.parse($0, limits: limits) }
}

func parse(bytes: [UInt8], limits: HTTPParserLimits = HTTPParserLimits()) -> HTTPParseResult {
    bytes.withUnsafeBytes { HTTPParser.parse($0, limits: limits) }
}

func outcome(_ result: HTTPParseResult) -> Expected {
    switch result {
    case .complete(let head, let consumed):
        return .complete(method: head.request.method, path: head.request.path, query: head.request.query, consumed: consumed)
    case .incomplete: return .incomplete
    case .invalid(let status, _): return .invalid(status)
    }
}

struct ParserCase: CustomTestStringConvertible, Sendable {
    let name: String
    let input: String
    let expected: Expected
    var testDescription: String { name }
}

@Suite struct HTTPParserTests {
    static let simple = "GET /status HTTP/1.1\r\nHost: status.lan\r\nAccept: */*\r\n\r\n"

    static let valid: [ParserCase] = [
        .init(name: "simple GET", input: simple, expected: .complete(method: "GET", path: "/status", query: nil, consumed: simple.utf8.count)),
        .init(name: "query split off", input: "GET /status/down?x=1&y HTTP/1.1\r\nHost: a\r\n\r\n",
              expected: .complete(method: "GET", path: "/status/down", query: "x=1&y", consumed: 44)),
        .init(name: "absolute-form target", input: "GET http://status.lan:8080/status?a HTTP/1.1\r\nHost: status.lan\r\n\r\n",
              expected: .complete(method: "GET", path: "/status", query: "a", consumed: 66)),
        .init(name: "absolute-form with no path", input: "GET http://status.lan HTTP/1.1\r\nHost: status.lan\r\n\r\n",
              expected: .complete(method: "GET", path: "/", query: nil, consumed: 52)),
        .init(name: "HTTP/1.0 without Host", input: "GET /status HTTP/1.0\r\n\r\n",
              expected: .complete(method: "GET", path: "/status", query: nil, consumed: 24)),
        .init(name: "bare LF line endings", input: "GET /status HTTP/1.1\nHost: a\n\n",
              expected: .complete(method: "GET", path: "/status", query: nil, consumed: 30)),
        .init(name: "leading empty lines skipped", input: "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
              expected: .complete(method: "GET", path: "/", query: nil, consumed: 31)),
        .init(name: "header values trimmed, tab allowed", input: "HEAD / HTTP/1.1\r\nHost:  a \t\r\nX-Y: a\tb\r\n\r\n",
              expected: .complete(method: "HEAD", path: "/", query: nil, consumed: 41)),
        .init(name: "HTTP/1.1 with equal duplicate Content-Length", input: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n",
              expected: .complete(method: "POST", path: "/", query: nil, consumed: 66)),
        .init(name: "unknown method is a token: the API answers 405", input: "BREW /status HTTP/1.1\r\nHost: a\r\n\r\n",
              expected: .complete(method: "BREW", path: "/status", query: nil, consumed: 34)),
    ]

    static let refused: [ParserCase] = [
        .init(name: "NUL in target", input: "GET /sta\u{0}tus HTTP/1.1\r\nHost: a\r\n\r\n", expected: .invalid(400)),
        .init(name: "DEL in target", input: "GET /sta\u{7F}tus HTTP/1.1\r\nHost: a\r\n\r\n", expected: .invalid(400)),
        .init(name: "tab in target", input: "GET /sta\ttus HTTP/1.1\r\nHost: a\r\n\r\n", expected: .invalid(400)),
        .init(name: "NUL in header value", input: "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0}b\r\n\r\n", expected: .invalid(400)),
        .init(name: "control byte in header value", input: "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{1}b\r\n\r\n", expected: .invalid(400)),
        .init(name: "DEL in header value", input: "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{7F}\r\n\r\n", expected: .invalid(400)),
        .init(name: "NUL in header name", input: "GET / HTTP/1.1\r\nHost: a\r\nX\u{0}Y: b\r\n\r\n", expected: .invalid(400)),
        .init(name: "bare CR inside a header line", input: "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", expected: .invalid(400)),
        .init(name: "bare CR inside the request line", input: "GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", expected: .invalid(400)),
        .init(name: "empty header name", input: "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", expected: .invalid(400)),
        .init(name: "space before colon", input: "GET / HTTP/1.1\r\nHost : a\r\n\r\n", expected: .invalid(400)),
        .init(name: "obs-fold", input: "GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n c\r\n\r\n", expected: .invalid(400)),
        .init(name: "header line without colon", input: "GET / HTTP/1.1\r\nHost: a\r\nnonsense\r\n\r\n", expected: .invalid(400)),
        .init(name: "missing Host on 1.1", input: "GET / HTTP/1.1\r\n\r\n", expected: .invalid(400)),
        .init(name: "two Host headers", input: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", expected: .invalid(400)),
        .init(name: "HTTP/2.0", input: "GET / HTTP/2.0\r\nHost: a\r\n\r\n", expected: .invalid(505)),
        .init(name: "HTTP/3.0", input: "GET / HTTP/3.0\r\nHost: a\r\n\r\n", expected: .invalid(505)),
        .init(name: "garbage version", input: "GET / HTTX/1.1\r\nHost: a\r\n\r\n", expected: .invalid(400)),
        .init(name: "lower-case version", input: "GET / http/1.1\r\nHost: a\r\n\r\n", expected: .invalid(400)),
        .init(name: "HTTP/0.9 style line", input: "GET /\r\n\r\n", expected: .invalid(400)),
        .init(name: "two spaces between parts", input: "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", expected: .invalid(400)),
        .init(name: "empty method", input: " / HTTP/1.1\r\nHost: a\r\n\r\n", expected: .invalid(400)),
        .init(name: "relative target", input: "GET status HTTP/1.1\r\nHost: a\r\n\r\n", expected: .invalid(400)),
        .init(name: "Content-Length negative", input: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", expected: .invalid(400)),
        .init(name: "Content-Length not digits", input: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1e3\r\n\r\n", expected: .invalid(400)),
        .init(name: "Content-Length overflowing", input: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", expected: .invalid(400)),
        .init(name: "Content-Length duplicated, different", input: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", expected: .invalid(400)),
        .init(name: "Content-Length list, different", input: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\n", expected: .invalid(400)),
        .init(name: "Content-Length with Transfer-Encoding", input: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", expected: .invalid(400)),
        .init(name: "Transfer-Encoding not ending in chunked", input: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", expected: .invalid(400)),
        .init(name: "Transfer-Encoding gzip, chunked", input: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", expected: .invalid(501)),
        .init(name: "Transfer-Encoding on HTTP/1.0", input: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", expected: .invalid(400)),
        .init(name: "unknown expectation", input: "GET / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\n\r\n", expected: .invalid(417)),
    ]

    @Test(arguments: valid)
    func validHeadsParse(_ testCase: ParserCase) {
        #expect(outcome(parse(testCase.input)) == testCase.expected)
    }

    @Test(arguments: refused)
    func invalidHeadsAreRefusedWithTheirStatus(_ testCase: ParserCase) {
        #expect(outcome(parse(testCase.input)) == testCase.expected)
    }

    @Test(arguments: valid)
    func everyPrefixOfAValidHeadIsIncomplete(_ testCase: ParserCase) {
        guard case .complete(_, _, _, let consumed) = testCase.expected else { return }
        let bytes = Array(testCase.input.utf8)
        for length in 0..<consumed {
            let result = outcome(parse(bytes: Array(bytes.prefix(length))))
            #expect(result == .incomplete, "prefix of \(length) bytes gave \(result)")
        }
    }

    @Test func pipelinedRequestsParseOneByOne() {
        let first = "GET /status HTTP/1.1\r\nHost: a\r\n\r\n"
        let second = "HEAD /status/down HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
        let bytes = Array((first + second + "GET /par").utf8)
        guard case .complete(let head1, let consumed1) = parse(bytes: bytes) else { Issue.record("first"); return }
        #expect(head1.request.path == "/status" && consumed1 == first.utf8.count && head1.keepAlive)
        let rest = Array(bytes[consumed1...])
        guard case .complete(let head2, let consumed2) = parse(bytes: rest) else { Issue.record("second"); return }
        #expect(head2.request.method == "HEAD" && consumed2 == second.utf8.count && !head2.keepAlive)
        #expect(outcome(parse(bytes: Array(rest[consumed2...]))) == .incomplete)
    }

    @Test func limitsGive414And431() {
        let limits = HTTPParserLimits(maxRequestLineBytes: 64, maxHeaderBytes: 128, maxHeaderCount: 4)
        let longTarget = "GET /" + String(repeating: "a", count: 100) + " HTTP/1.1\r\nHost: a\r\n\r\n"
        #expect(outcome(parse(longTarget, limits: limits)) == .invalid(414))
        #expect(outcome(parse("GET /" + String(repeating: "a", count: 100), limits: limits)) == .invalid(414),
                "known before the line ends")
        let bigHeader = "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "b", count: 200) + "\r\n\r\n"
        #expect(outcome(parse(bigHeader, limits: limits)) == .invalid(431))
        #expect(outcome(parse("GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "b", count: 200), limits: limits)) == .invalid(431),
                "known before the block ends")
        let manyHeaders = "GET / HTTP/1.1\r\nHost: a\r\n" + (1...5).map { "X\($0): y\r\n" }.joined() + "\r\n"
        #expect(outcome(parse(manyHeaders, limits: limits)) == .invalid(431))
    }

    @Test func connectionAndBodyFraming() {
        func head(_ text: String) -> HTTPRequestHead? {
            if case .complete(let head, _) = parse(text) { return head }
            return nil
        }
        #expect(head("GET / HTTP/1.0\r\n\r\n")?.keepAlive == false)
        #expect(head("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")?.keepAlive == true)
        #expect(head("GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n")?.keepAlive == false)
        #expect(head("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n")?.body == .length(5))
        #expect(head("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n")?.body == .chunked)
        #expect(head("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")?.expectContinue == true)
    }

    @Test func chunkedBodiesAreReadToTheirEnd() {
        var reader = HTTPBodyReader(body: .chunked, limit: 100)
        let body = Array("5;ext=1\r\nhello\r\n0\r\nTrailer: x\r\n\r\nGET".utf8)
        let result = body.withUnsafeBytes { reader.consume($0) }
        #expect(result == .done(consumed: body.count - 3))
        var tooBig = HTTPBodyReader(body: .chunked, limit: 4)
        #expect(Array("5\r\nhello\r\n".utf8).withUnsafeBytes { tooBig.consume($0) } == .invalid(status: 413, reason: "request body too large"))
        for size in ["zz", "-5", "+5", " 5", "0x5", ""] {
            var bad = HTTPBodyReader(body: .chunked, limit: 100)
            #expect(Array("\(size)\r\nhello\r\n".utf8).withUnsafeBytes { bad.consume($0) }
                    == .invalid(status: 400, reason: "invalid chunk size"), "chunk size \(size)")
        }
    }
}
