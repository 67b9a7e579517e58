// A real HTTP receiver for the webhook tests, on 127.0.0.1 at an ephemeral port, written with plain sockets: it
// records every request (method, path, headers, body, arrival time) and answers each as the test says — a status,
// or silence (accept, read, never answer). One request per connection (it answers `Connection: close`).
import Foundation
import Glibc
import Synchronization
@testable import Webhooks
import Logging
import Platform
import TestSupport

final class TestWebhookReceiver: Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        /// Lower-cased names.
        var headers: [String: String]
        var body: [UInt8]
        var arrival: MonotonicInstant
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    enum Answer: Sendable {
        case status(Int, headers: [String: String] = [:], body: String = "")
        /// Read the request, then say nothing until the receiver closes.
        case silence
    }

    let port: UInt16
    private let listener: Int32
    private let answer: @Sendable (Int) -> Answer
    private struct Connections {
        var requests: [Request] = []
        var silent: [Int32] = []
        var closed = false
    }

    private let state = Mutex(Connections())

    /// `answer` gets the 0-based index of each request, in arrival order.
    init(answer: @escaping @Sendable (Int) -> Answer = { _ in .status(200) }) throws {
        self.answer = answer
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        guard let loopback = SocketAddress(ipLiteral: "127.0.0.1", port: 0),
              loopback.withSockAddr({ bind(fd, $0, $1) }) == 0, listen(fd, 16) == 0,
              withUnsafeMutablePointer(to: &storage, {
                  $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
              }) == 0,
              let bound = SocketAddress(storage: storage) else {
            let error = SystemError("bind/listen on 127.0.0.1")
            Glibc.close(fd)
            throw error
        }
        listener = fd
        port = bound.port
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { close() }

    func url(_ path: String = "/hook") -> URL {
        URL(string: "http://127.0.0.1:\(port)\(path)") ?? URL(fileURLWithPath: "/not-a-url")
    }

    var received: [Request] { state.withLock { $0.requests } }

    /// The requests once there are at least `count`, or what arrived by `timeout` seconds.
    func waitFor(_ count: Int, timeout: Double = 3) -> [Request] {
        let deadline = MonotonicInstant.now().adding(nanoseconds: UInt64(timeout * 1e9))
        while received.count < count, MonotonicInstant.now() < deadline { usleep(5_000) }
        return received
    }

    /// Stops accepting and closes every connection, silent ones included.
    func close() {
        let (wasClosed, silent) = state.withLock { state -> (Bool, [Int32]) in
            defer { state.closed = true; state.silent = [] }
            return (state.closed, state.silent)
        }
        guard !wasClosed else { return }
        for fd in silent { Glibc.close(fd) }
    }

    private var isClosed: Bool { state.withLock { $0.closed } }

    private func acceptLoop() {
        defer { Glibc.close(listener) }
        while !isClosed {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 20) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            let thread = Thread { [self] in serve(connection) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer: [UInt8] = []
        var continued = false
        while true {
            if let end = find([13, 10, 13, 10], in: buffer) {
                let lines = String(decoding: buffer[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
                let start = lines[0].split(separator: " ")
                var headers: [String: String] = [:]
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                if headers["expect"]?.lowercased() == "100-continue", !continued {
                    continued = true
                    write(fd, "HTTP/1.1 100 Continue\r\n\r\n")
                }
                let length = Int(headers["content-length"] ?? "0") ?? 0
                if buffer.count >= end + 4 + length {
                    let request = Request(method: start.first.map(String.init) ?? "", path: start.count > 1 ? String(start[1]) : "",
                                          headers: headers, body: Array(buffer[(end + 4)..<(end + 4 + length)]),
                                          arrival: .now())
                    return respond(fd, to: request)
                }
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else {
                Glibc.close(fd)
                return
            }
            buffer += chunk[0..<count]
        }
    }

    private func respond(_ fd: Int32, to request: Request) {
        let index = state.withLock { state in
            state.requests.append(request)
            return state.requests.count - 1
        }
        switch answer(index) {
        case .silence:
            let keep = state.withLock { state in
                if !state.closed { state.silent.append(fd) }
                return !state.closed
            }
            if !keep { Glibc.close(fd) }
        case .status(let status, let headers, let body):
            var head = "HTTP/1.1 \(status) Answer\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            write(fd, head + "\r\n" + body)
            Glibc.close(fd)
        }
    }

    private func write(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private func find(_ pattern: [UInt8], in buffer: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        for index in 0...(buffer.count - pattern.count) where Array(buffer[index..<(index + pattern.count)]) == pattern {
            return index
        }
        return nil
    }
}

/// Captures a logger's lines (debug level and up), for tests that check what was logged.
final class LogCapture: Sendable {
    private final class Lines: Sendable {
        let lines = Mutex<[String]>([])
    }

    private let storage: Lines
    let logger: Logger

    init() {
        let storage = Lines()
        self.storage = storage
        logger = Logger(minimumLevel: .debug) { line in storage.lines.withLock { $0.append(line) } }
    }

    var lines: [String] { storage.lines.withLock { $0 } }

    /// Lines of one event, e.g. `webhook_failed`.
    func lines(_ event: String) -> [String] {
        lines.filter { $0.contains(" event=\(event) ") || $0.hasSuffix(" event=\(event)") }
    }

    /// Waits until at least `count` lines of `event` were logged, or `timeout` seconds.
    func waitFor(_ event: String, count: Int = 1, timeout: Double = 3) -> [String] {
        let deadline = MonotonicInstant.now().adding(nanoseconds: UInt64(timeout * 1e9))
        while lines(event).count < count, MonotonicInstant.now() < deadline { usleep(5_000) }
        return lines(event)
    }
}
