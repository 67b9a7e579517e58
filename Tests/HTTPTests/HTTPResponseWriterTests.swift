// The response writer's bytes on the wire: the status line, the handler's headers (as fields and as lines
// serialised once), a Content-Length that matches the body at every number of digits, and HEAD without a body.
import Glibc
import Testing
@testable import HTTP
import Platform

@Suite struct HTTPResponseWriterTests {
    /// What `response` looks like on the wire, written through a real socket pair.
    func wire(_ response: HTTPResponse, headOnly: Bool = false) throws -> String {
        var pair: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue), 0, &pair) == 0)
        let sender = FileDescriptor(pair[0])
        defer { sender.close(); close(pair[1]) }
        var big: Int32 = 4 << 20
        setsockopt(pair[0], SOL_SOCKET, SO_SNDBUF, &big, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(pair[1], SOL_SOCKET, SO_RCVBUF, &big, socklen_t(MemoryLayout<Int32>.size))
        var writer = HTTPResponseWriter(commonHeaders: [("X-Common", "1")])
        var queue = OutputQueue()
        writer.write(response, headOnly: headOnly, keepAlive: true, http10: false, into: &queue)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while queue.count > 0 || received.isEmpty {
            if queue.count > 0 { _ = try queue.send(to: sender) }
            let got = buffer.withUnsafeMutableBytes { recv(pair[1], $0.baseAddress, $0.count, 0) }
            if got > 0 { received += buffer[0..<got] }
        }
        while true {  // what is still in the socket
            let got = buffer.withUnsafeMutableBytes { recv(pair[1], $0.baseAddress, $0.count, 0) }
            guard got > 0 else { break }
            received += buffer[0..<got]
        }
        return String(decoding: received, as: UTF8.self)
    }

    func head(_ wire: String) -> [String] {
        Array(wire.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n").dropFirst())
    }

    @Test(arguments: [0, 1, 9, 10, 99, 100, 30_685, 1_000_000])
    func contentLengthIsTheBodysLength(size: Int) throws {
        let body = [UInt8](repeating: 0x61, count: size)
        let text = try wire(HTTPResponse(status: 200, body: body))
        #expect(head(text).contains("Content-Length: \(size)"))
        #expect(text.hasSuffix("\r\n\r\n" + String(repeating: "a", count: size)))
    }

    @Test func headerLinesFollowTheFieldsAndHEADSendsNoBody() throws {
        let lines = HTTPResponse.serialise([(name: "ETag", value: "\"v1\""), (name: "Cache-Control", value: "no-cache")])
        let response = HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], headerLines: lines,
                                    body: Array("[]".utf8))
        let text = try wire(response)
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
        let fields = head(text)
        #expect(fields.filter { !$0.hasPrefix("Date: ") } ==
                ["Server: status", "X-Common: 1", "Content-Type: application/json", "ETag: \"v1\"",
                 "Cache-Control: no-cache", "Content-Length: 2"])
        #expect(text.hasSuffix("\r\n\r\n[]"))
        let headOnly = try wire(response, headOnly: true)
        #expect(headOnly.hasSuffix("Content-Length: 2\r\n\r\n"))
        #expect(response.header("etag") == "\"v1\"" && response.header("CONTENT-TYPE") == "application/json")
        #expect(response.header("Cache-Control") == "no-cache" && response.header("Allow") == nil)
    }

    @Test func statusLinesNameTheirReason() throws {
        #expect(try wire(HTTPResponse(status: 304)).hasPrefix("HTTP/1.1 304 Not Modified\r\n"))
        #expect(try wire(HTTPResponse(status: 404)).hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(try wire(HTTPResponse(status: 418)).hasPrefix("HTTP/1.1 418 Status 418\r\n"))
    }
}
