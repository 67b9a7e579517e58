// The framing rules of a parsed request head (RFC 9112 §6, RFC 9110): Host, Content-Length, Transfer-Encoding,
// Connection and Expect, including the defences against request smuggling.

enum HTTPRequestSemantics {
    typealias Problem = HTTPParser.Problem

    /// Host, Content-Length, Transfer-Encoding, Connection and Expect rules, including the smuggling defences.
    static func head(_ request: HTTPRequest) -> Result<HTTPRequestHead, Problem> {
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
}
