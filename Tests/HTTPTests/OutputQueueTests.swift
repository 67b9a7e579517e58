// The output queue over a real socket pair whose buffer fills up: every byte arrives once and in order,
// across partial writes that stop in the middle of a head, a copied body or a shared one.
import Glibc
import Testing
@testable import HTTP
import Logging
import Platform
import TestSupport

@Suite struct OutputQueueTests {
    @Test func partialWritesDeliverEveryByteInOrder() throws {
        var pair: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue), 0, &pair) == 0)
        var small: Int32 = 4096
        setsockopt(pair[0], SOL_SOCKET, SO_SNDBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        let writer = FileDescriptor(pair[0])
        defer { writer.close(); close(pair[1]) }

        let shared = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var expected: [UInt8] = []
        var queue = OutputQueue()
        for round in 0..<20 {
            let head = Array("HTTP/1.1 200 OK\r\nX-Round: \(round)\r\n\r\n".utf8)
            queue.appendOwn { $0.append(contentsOf: head) }
            expected += head
            let body = round % 3 == 0 ? Array("{\"small\":\(round)}".utf8) : shared
            queue.append(body)
            expected += body
        }
        #expect(queue.count == expected.count)

        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 7_001)
        var sends = 0
        while queue.count > 0 || received.count < expected.count {
            if queue.count > 0 {
                _ = try queue.send(to: writer)
                sends += 1
            }
            let got = buffer.withUnsafeMutableBytes { recv(pair[1], $0.baseAddress, $0.count, 0) }
            if got > 0 { received += buffer[0..<got] }
            #expect(sends < 100_000, "the queue makes progress")
            if sends >= 100_000 { break }
        }
        #expect(sends > 20, "the socket buffer filled, so writes were partial")
        #expect(received.count == expected.count && received == expected)
        #expect(queue.count == 0)
    }

    @Test func aLimitedSendWritesNoMoreThanItsLimitAndLosesNothing() throws {
        var pair: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue), 0, &pair) == 0)
        let writer = FileDescriptor(pair[0])
        defer { writer.close(); close(pair[1]) }
        let shared = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        var expected: [UInt8] = []
        var queue = OutputQueue()
        for round in 0..<5 {
            let head = Array("HTTP/1.1 200 OK\r\nX-Round: \(round)\r\n\r\n".utf8)
            queue.appendOwn { $0.append(contentsOf: head) }
            queue.append(shared)
            expected += head + shared
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var largest = 0
        var sends = 0
        while queue.count > 0, sends < 10_000 {
            if case .processed(let written) = try queue.send(to: writer, limit: 1_000) { largest = max(largest, written) }
            sends += 1
            let got = buffer.withUnsafeMutableBytes { recv(pair[1], $0.baseAddress, $0.count, 0) }
            if got > 0 { received += buffer[0..<got] }
        }
        while received.count < expected.count {
            let got = buffer.withUnsafeMutableBytes { recv(pair[1], $0.baseAddress, $0.count, 0) }
            guard got > 0 else { break }
            received += buffer[0..<got]
        }
        #expect(largest == 1_000, "each send stops at its limit, across a head and a shared body")
        #expect(received == expected)
    }
}
