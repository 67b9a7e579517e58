// The public face of the HTTP server: its configuration, binding at start-up (so "address in use" is a
// start-up error), the event-loop thread, and graceful shutdown.
import Foundation
import Glibc

public struct HTTPServerConfiguration: Sendable {
    public var address: SocketAddress
    /// Added to every response, the server's own errors included (e.g. Access-Control-Allow-Origin).
    public var commonHeaders: [(name: String, value: String)]
    public var limits = HTTPParserLimits()
    public var maxBodyBytes = 65_536
    public var maxConnections = 1024
    /// Event loops, each on its own thread, sharing the listening socket: one per core by default.
    public var eventLoops = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 16))
    /// Requests answered before the next pipelined one is read; bounds memory per connection.
    public var maxPipelinedRequests = 16
    /// Output queued before a connection stops reading (a client that does not read is throttled).
    public var maxPendingOutputBytes = 256 * 1024
    /// Seconds to receive a whole request head once it has started (or after connecting): 408, then close.
    public var headerTimeout = 10.0
    /// Seconds a keep-alive connection may sit idle, or a non-reading client stall our writes, before closing.
    public var idleTimeout = 60.0
    /// Counts every response sent, by status code (for /metrics); nil counts nothing.
    public var responseCounts: HTTPResponseCounts?

    public init(address: SocketAddress, commonHeaders: [(name: String, value: String)] = []) {
        self.address = address
        self.commonHeaders = commonHeaders
    }
}

public final class HTTPServer: @unchecked Sendable {
    private let listener: FileDescriptor
    private let loops: [HTTPEventLoop]
    private var threads: [Thread] = []
    private let finished = DispatchSemaphore(value: 0)

    /// The address actually bound (the real port when port 0 was asked for).
    public let boundAddress: SocketAddress

    /// One handler shared by every event loop.
    public convenience init(configuration: HTTPServerConfiguration, handler: HTTPHandler, logger: Logger) throws {
        try self.init(configuration: configuration, logger: logger, makeHandler: { handler })
    }

    /// Opens, binds and listens; throws a `SystemError` such as "bind(0.0.0.0:8080) failed: Address already in use".
    /// `makeHandler` is called once per event loop, so a handler may keep state confined to its loop's thread.
    public init(configuration: HTTPServerConfiguration, logger: Logger, makeHandler: () -> HTTPHandler) throws {
        let address = configuration.address
        let listener = try Socket.open(family: address.family,
                                   type: Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue),
                                   protocol: 0, label: address.family == AF_INET ? "AF_INET, SOCK_STREAM" : "AF_INET6, SOCK_STREAM")
        try Socket.setOption(listener, level: SOL_SOCKET, name: SO_REUSEADDR, value: Int32(1), label: "SO_REUSEADDR")
        if address.family == AF_INET6 {
            try Socket.setOption(listener, level: Int32(IPPROTO_IPV6), name: IPV6_V6ONLY, value: Int32(0), label: "IPV6_V6ONLY")
        }
        try Socket.bind(listener, to: address)
        try Socket.listen(listener, backlog: 1024)
        boundAddress = try Socket.localAddress(listener) ?? address
        let budget = ConnectionBudget(limit: configuration.maxConnections)
        loops = try (0..<max(1, configuration.eventLoops)).map { index in
            try HTTPEventLoop(listener: listener, configuration: configuration, budget: budget, handler: makeHandler(),
                              name: "status-http-\(index)", index: index, logger: logger)
        }
        self.listener = listener
    }

    /// Starts serving: each event loop on its own thread.
    public func start() {
        for loop in loops {
            let thread = Thread { [loop, finished] in
                loop.run()
                finished.signal()
            }
            threads.append(thread)
            thread.start()
        }
    }

    /// Stops accepting, lets in-flight responses be written, closes idle connections, and returns when all are
    /// closed or `gracePeriod` seconds have passed (then the rest are closed). Safe from any thread.
    public func shutdown(gracePeriod: Double) {
        for loop in loops { loop.requestShutdown(gracePeriod: gracePeriod) }
        let deadline = DispatchTime.now() + gracePeriod + 1
        for _ in threads { _ = finished.wait(timeout: deadline) }
        listener.close()
    }
}
