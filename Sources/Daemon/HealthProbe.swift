// `status healthcheck`: for docker healthchecks in an image without curl. Asks the running daemon's GET /healthz
// on LISTEN_ADDR (a wildcard address is asked on loopback) and exits 0 on a 200, 1 otherwise, printing the body.
import Foundation
import Platform
import Glibc

package enum HealthProbe {
    /// Returns the process exit code.
    package static func run(listen: SocketAddress, timeoutSeconds: Int = 3) -> Int32 {
        let target = loopbackIfWildcard(listen)
        do {
            let fd = try Socket.open(family: target.family, type: Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                                     protocol: 0, label: "healthcheck")
            let timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
            try Socket.setOption(fd, level: SOL_SOCKET, name: SO_RCVTIMEO, value: timeout, label: "SO_RCVTIMEO")
            try Socket.setOption(fd, level: SOL_SOCKET, name: SO_SNDTIMEO, value: timeout, label: "SO_SNDTIMEO")
            try Socket.connect(fd, to: target)
            let request = Array("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8)
            _ = try request.withUnsafeBytes { try Socket.send(fd, $0) }
            var response: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while response.count < 65_536 {
                let result = try chunk.withUnsafeMutableBytes { try Socket.receive(fd, into: $0) }
                guard case .processed(let count) = result, count > 0 else { break }
                response += chunk[0..<count]
            }
            let text = String(decoding: response, as: UTF8.self)
            let body = text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
            print(body.isEmpty ? text : body)
            return text.hasPrefix("HTTP/1.1 200 ") ? 0 : 1
        } catch {
            print("healthcheck: \(target): \(error)")
            return 1
        }
    }

    static func loopbackIfWildcard(_ address: SocketAddress) -> SocketAddress {
        switch address {
        case .v4(var a) where a.sin_addr.s_addr == 0:
            a.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            return .v4(a)
        case .v6(var a):
            let isWildcard = withUnsafeBytes(of: a.sin6_addr) { $0.allSatisfy { $0 == 0 } }
            guard isWildcard else { return address }
            a.sin6_addr = in6addr_loopback
            return .v6(a)
        default:
            return address
        }
    }
}
