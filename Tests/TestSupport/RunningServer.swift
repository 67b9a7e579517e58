// An HTTP server on a loopback port the kernel chose, for the tests of the server and of the API over real
// sockets; shut down when the test lets go of it.
import Glibc
import HTTP
import Logging
import Platform

package final class RunningServer {
    package let server: HTTPServer
    package var port: UInt16 { server.boundAddress.port }

    /// `start`: false leaves the loops to the test (`server.start()`); connections made meanwhile wait in the backlog.
    package init(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in }, ipv6: Bool = false, start: Bool = true,
                 handler makeHandler: () -> HTTPHandler) throws {
        var configuration = HTTPServerConfiguration(address: SocketAddress(ipLiteral: ipv6 ? "::1" : "127.0.0.1", port: 0)!,
                                                    commonHeaders: [("Access-Control-Allow-Origin", "*")])
        configure(&configuration)
        server = try HTTPServer(configuration: configuration, logger: Logger(minimumLevel: .error), makeHandler: makeHandler)
        if start { server.start() }
    }

    package func client() throws -> TestHTTPClient { try TestHTTPClient(port: port, ipv6: server.boundAddress.family == AF_INET6) }

    deinit { server.shutdown(gracePeriod: 1) }
}
