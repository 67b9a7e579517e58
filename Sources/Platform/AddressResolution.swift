// getaddrinfo, wrapped once: a host name to its addresses, with gai_strerror text on failure. Blocking.
import Glibc

/// A failed name look-up, e.g. "Name or service not known".
package struct ResolutionError: Error, CustomStringConvertible, Equatable, Sendable {
    package let name: String
    package let code: Int32
    package let reason: String

    package var description: String { "cannot resolve \(name): \(reason)" }
}

package enum AddressResolution {
    /// Resolves `name` to its IPv4 and IPv6 addresses in the resolver's preferred order (RFC 6724).
    /// Blocks for as long as the system resolver takes: call it off any timer queue or event loop.
    package static func resolve(_ name: String) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(name, nil, &hints, &list)
        guard code == 0 else {
            let reason = code == EAI_SYSTEM ? SystemError.text(for: errno) : String(cString: gai_strerror(code))
            throw ResolutionError(name: name, code: code, reason: reason)
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var cursor = list
        while let entry = cursor?.pointee {
            if let raw = entry.ai_addr {
                switch entry.ai_family {
                case AF_INET where entry.ai_addrlen >= MemoryLayout<sockaddr_in>.size:
                    let address = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { SocketAddress.v4($0.pointee) }
                    if !addresses.contains(address) { addresses.append(address) }
                case AF_INET6 where entry.ai_addrlen >= MemoryLayout<sockaddr_in6>.size:
                    let address = raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { SocketAddress.v6($0.pointee) }
                    if !addresses.contains(address) { addresses.append(address) }
                default:
                    break
                }
            }
            cursor = entry.ai_next
        }
        guard !addresses.isEmpty else {
            throw ResolutionError(name: name, code: EAI_NONAME, reason: "no IPv4 or IPv6 address")
        }
        return addresses
    }
}
