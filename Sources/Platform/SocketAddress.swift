// IPv4 and IPv6 socket addresses: parsing literals, formatting, and handing them to C calls.
import Glibc

/// An IPv4 or IPv6 address with a port (0 where ports mean nothing, as for ICMP).
package enum SocketAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(sockaddr_in)
    case v6(sockaddr_in6)

    /// Parses an IP literal: "192.0.2.1", "2001:db8::1", or "[2001:db8::1]". Nil when it is not one.
    package init?(ipLiteral text: String, port: UInt16 = 0) {
        var literal = Substring(text)
        if literal.hasPrefix("["), literal.hasSuffix("]") {
            literal = literal.dropFirst().dropLast()
            guard literal.contains(":") else { return nil }
        }
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, String(literal), &v4.sin_addr) == 1, !text.hasPrefix("[") {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            self = .v4(v4)
            return
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, String(literal), &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            self = .v6(v6)
            return
        }
        return nil
    }

    /// Parses "host:port" where host is an IPv4 literal, or "[v6]:port". Nil when malformed.
    package init?(hostPort text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = UInt16(portText) else { return nil }
        if host.contains(":") && !host.hasPrefix("[") { return nil }
        self.init(ipLiteral: host, port: port)
    }

    /// Builds an address from a `sockaddr_storage` filled in by the kernel.
    package init?(storage: sockaddr_storage) {
        var copy = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            self = withUnsafeBytes(of: &copy) { .v4($0.load(as: sockaddr_in.self)) }
        case AF_INET6:
            self = withUnsafeBytes(of: &copy) { .v6($0.load(as: sockaddr_in6.self)) }
        default:
            return nil
        }
    }

    package var family: Int32 {
        switch self {
        case .v4: return AF_INET
        case .v6: return AF_INET6
        }
    }

    package var port: UInt16 {
        switch self {
        case .v4(let a): return UInt16(bigEndian: a.sin_port)
        case .v6(let a): return UInt16(bigEndian: a.sin6_port)
        }
    }

    /// The address bytes in network order: 4 for IPv4, 16 for IPv6.
    package var addressBytes: [UInt8] {
        switch self {
        case .v4(var a): return withUnsafeBytes(of: &a.sin_addr) { Array($0) }
        case .v6(var a): return withUnsafeBytes(of: &a.sin6_addr) { Array($0) }
        }
    }

    /// True when both hold the same IP address (ports and scopes aside); allocates nothing.
    package func hasSameAddress(as other: SocketAddress) -> Bool {
        switch (self, other) {
        case (.v4(let a), .v4(let b)):
            return a.sin_addr.s_addr == b.sin_addr.s_addr
        case (.v6(let a), .v6(let b)):
            return withUnsafeBytes(of: a.sin6_addr) { x in withUnsafeBytes(of: b.sin6_addr) { y in x.elementsEqual(y) } }
        default:
            return false
        }
    }

    /// 127.0.0.0/8 or ::1.
    package var isLoopback: Bool {
        switch self {
        case .v4(let a):
            return UInt32(bigEndian: a.sin_addr.s_addr) >> 24 == 127
        case .v6(let a):
            return withUnsafeBytes(of: a.sin6_addr) { bytes in
                bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1
            }
        }
    }

    /// The address alone, as inet_ntop writes it: "192.0.2.1", "2001:db8::1".
    package var ipString: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch self {
        case .v4(var a): inet_ntop(AF_INET, &a.sin_addr, &buffer, socklen_t(buffer.count))
        case .v6(var a): inet_ntop(AF_INET6, &a.sin6_addr, &buffer, socklen_t(buffer.count))
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// "192.0.2.1:80" or "[2001:db8::1]:80".
    package var description: String {
        switch self {
        case .v4: return "\(ipString):\(port)"
        case .v6: return "[\(ipString)]:\(port)"
        }
    }

    /// Calls `body` with a `sockaddr` pointer and its length, as bind/connect/sendto want them.
    package func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        switch self {
        case .v4(var a):
            return try withUnsafePointer(to: &a) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        case .v6(var a):
            return try withUnsafePointer(to: &a) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
    }

    package static func == (lhs: SocketAddress, rhs: SocketAddress) -> Bool {
        lhs.family == rhs.family && lhs.port == rhs.port && lhs.addressBytes == rhs.addressBytes
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(family)
        hasher.combine(port)
        hasher.combine(addressBytes)
    }
}
