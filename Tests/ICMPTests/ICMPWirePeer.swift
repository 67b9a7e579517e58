// The other end of the wire for pinger tests: a raw IPv4 ICMP socket that sees the echo requests sent inside a
// test's namespace and answers them when and how the test says (late, from another identifier, as an ICMP
// error), by sending real packets to 127.0.0.1.
import Foundation
import Glibc
@testable import ICMP
import Logging
import Platform
import TestSupport

final class ICMPWirePeer {
    struct EchoRequest: Equatable {
        var identifier: UInt16
        var sequence: UInt16
        var payload: [UInt8]
    }

    private let fd: Int32

    /// Opens the socket; call inside the test's namespace.
    init() throws {
        fd = socket(AF_INET, Int32(SOCK_RAW.rawValue), Int32(IPPROTO_ICMP))
        guard fd >= 0 else { throw TestNetworkNamespace.NamespaceError("raw socket: \(String(cString: strerror(errno)))") }
        var wait = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// The next echo request carrying `identifier`, or nil after `timeout` seconds.
    func nextEchoRequest(identifier: UInt16, timeout: Double = 3) -> EchoRequest? {
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 2048)
        while Date() < deadline {
            let length = recv(fd, &buffer, buffer.count, 0)
            guard length >= 28 else { continue }
            let headerLength = Int(buffer[0] & 0x0F) * 4
            guard length >= headerLength + 8, buffer[headerLength] == 8 else { continue }
            let request = EchoRequest(identifier: UInt16(buffer[headerLength + 4]) << 8 | UInt16(buffer[headerLength + 5]),
                                      sequence: UInt16(buffer[headerLength + 6]) << 8 | UInt16(buffer[headerLength + 7]),
                                      payload: Array(buffer[(headerLength + 8)..<length]))
            if request.identifier == identifier { return request }
        }
        return nil
    }

    /// Sends an echo reply to 127.0.0.1.
    func reply(identifier: UInt16, sequence: UInt16, payload: [UInt8]) {
        send(type: 0, code: 0, rest: [UInt8(identifier >> 8), UInt8(identifier & 0xFF), UInt8(sequence >> 8), UInt8(sequence & 0xFF)],
             body: payload)
    }

    /// Sends 127.0.0.1 an ICMP "destination unreachable, communication administratively prohibited" that quotes
    /// an echo request to `destination` with this identifier and sequence, as a router on the way would.
    func prohibited(quotingEchoTo destination: String, identifier: UInt16, sequence: UInt16) {
        var quotedHeader: [UInt8] = [0x45, 0, 0, 44, 0, 0, 0x40, 0, 64, 1, 0, 0, 127, 0, 0, 1]
        var address = in_addr()
        inet_pton(AF_INET, destination, &address)
        withUnsafeBytes(of: address.s_addr) { quotedHeader += $0 }
        let checksum = InternetChecksum.compute(quotedHeader)
        quotedHeader[10] = UInt8(checksum >> 8)
        quotedHeader[11] = UInt8(checksum & 0xFF)
        let quotedEcho: [UInt8] = [8, 0, 0, 0, UInt8(identifier >> 8), UInt8(identifier & 0xFF),
                                   UInt8(sequence >> 8), UInt8(sequence & 0xFF)]
        send(type: 3, code: 13, rest: [0, 0, 0, 0], body: quotedHeader + quotedEcho)
    }

    private func send(type: UInt8, code: UInt8, rest: [UInt8], body: [UInt8]) {
        var message = [type, code, 0, 0] + rest + body
        let checksum = InternetChecksum.compute(message)
        message[2] = UInt8(checksum >> 8)
        message[3] = UInt8(checksum & 0xFF)
        var to = sockaddr_in()
        to.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &to.sin_addr)
        let sent = withUnsafePointer(to: &to) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, message, message.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        precondition(sent == message.count, "sendto: \(String(cString: strerror(errno)))")
    }
}
