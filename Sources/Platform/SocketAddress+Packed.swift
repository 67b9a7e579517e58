// A socket address as plain integers, for tables that keep one per entry (the pinger's 65,536 sequence slots):
// its 16 address bytes, its port and its family, which is all that addresses are compared by. IPv6 flow labels
// and scope ids are not kept.
import Glibc

extension SocketAddress {
    /// The address bytes in network order (IPv4's 4 bytes first, the rest zero), the port, and whether it is IPv6.
    package var packed: (bytes: (UInt64, UInt64), port: UInt16, isV6: Bool) {
        var bytes: (UInt64, UInt64) = (0, 0)
        switch self {
        case .v4(let a):
            withUnsafeMutableBytes(of: &bytes) { $0.storeBytes(of: a.sin_addr, as: in_addr.self) }
            return (bytes, UInt16(bigEndian: a.sin_port), false)
        case .v6(let a):
            withUnsafeMutableBytes(of: &bytes) { $0.storeBytes(of: a.sin6_addr, as: in6_addr.self) }
            return (bytes, UInt16(bigEndian: a.sin6_port), true)
        }
    }

    /// The address `packed` gave: equal to the one packed (same family, port and address bytes).
    package init(packed bytes: (UInt64, UInt64), port: UInt16, isV6: Bool) {
        if isV6 {
            var v6 = sockaddr_in6()
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            v6.sin6_addr = withUnsafeBytes(of: bytes) { $0.load(as: in6_addr.self) }
            self = .v6(v6)
        } else {
            var v4 = sockaddr_in()
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            v4.sin_addr = withUnsafeBytes(of: bytes) { $0.load(as: in_addr.self) }
            self = .v4(v4)
        }
    }
}
