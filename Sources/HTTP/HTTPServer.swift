// The public face of the HTTP server: its configuration, binding at start-up (so "address in use" is a start-up
// error), one event-loop thread per loop (named status-http-N), and graceful shutdown.
import Foundation
import Glibc
import Logging
import Platform
import Synchronization

package struct HTTPServerConfiguration: Sendable {
    package var address: SocketAddress
    /// Added to every response, the server's own errors included (e.g. Access-Control-Allow-Origin).
    package var commonHeaders: [(name: String, value: String)]
    package var limits = HTTPParserLimits()
    package var maxBodyBytes = 65_536
    package var maxConnections = 1024
    /// Event loops, each on its own thread, sharing the listening socket: one per core by default.
    package var eventLoops = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 16))
    /// Requests answered before the next pipelined one is read; bounds memory per connection.
    package var maxPipelinedRequests = 16
    /// Output queued before a connection stops reading (a client that does not read is throttled).
    package var maxPendingOutputBytes = 256 * 1024
    /// Seconds to receive a whole request head once it has started (or after connecting): 408, then close.
    package var headerTimeout = 10.0
    /// Seconds a keep-alive connection may sit idle, or a non-reading client stall our writes, before closing.
    package var idleTimeout = 60.0
    /// Counts every response sent, by status code (for /metrics); nil counts nothing.
    package var responseCounts: HTTPResponseCounts?

    package init(address: SocketAddress, commonHeaders: [(name: String, value: String)] = []) {
        self.address = address
        self.commonHeaders = commonHeaders
    }
}

package final class HTTPServer: Sendable {
    private let listener: FileDescriptor
    /// Each loop, until its thread takes it.
    private let loops: [Handoff<HTTPEventLoop>]
    private let mailboxes: [LoopMailbox]
    private let finished = DispatchSemaphore(value: 0)
    private let started = Atomic<Bool>(false)

    /// The address actually bound (the real port when port 0 was asked for).
    package let boundAddress: SocketAddress

    /// Opens, binds and listens; throws a `SystemError` such as "bind(0.0.0.0:8080) failed: Address already in use".
    /// `makeHandler` is called once per event loop: each loop's handler is used on that loop's thread only.
    package init(configuration: HTTPServerConfiguration, logger: Logger, makeHandler: () -> HTTPHandler) throws {
        let address = configuration.address
        let listener = try Socket.open(family: address.family,
                                       type: Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue),
                                       protocol: 0,
                                       label: address.family == AF_INET ? "AF_INET, SOCK_STREAM" : "AF_INET6, SOCK_STREAM")
        try Socket.setOption(listener, level: SOL_SOCKET, name: SO_REUSEADDR, value: Int32(1), label: "SO_REUSEADDR")
        if address.family == AF_INET6 {
            try Socket.setOption(listener, level: Int32(IPPROTO_IPV6), name: IPV6_V6ONLY, value: Int32(0), label: "IPV6_V6ONLY")
        }
        try Socket.bind(listener, to: address)
        try Socket.listen(listener, backlog: 1024)
        boundAddress = try Socket.localAddress(listener) ?? address
        let budget = ConnectionBudget(limit: configuration.maxConnections)
        var loops: [Handoff<HTTPEventLoop>] = []
        var mailboxes: [LoopMailbox] = []
        for index in 0..<max(1, configuration.eventLoops) {
            let mailbox = try LoopMailbox()
            loops.append(Handoff(try HTTPEventLoop(listener: listener, configuration: configuration, budget: budget,
                                                   handler: makeHandler(), mailbox: mailbox, index: index, logger: logger)))
            mailboxes.append(mailbox)
        }
        self.loops = loops
        self.mailboxes = mailboxes
        self.listener = listener
    }

    /// Starts serving: each event loop on its own thread, named status-http-0, status-http-1, ...
    package func start() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for (index, handoff) in loops.enumerated() {
            Threads.start(name: "status-http-\(index)") { [finished] in
                handoff.take()?.run()
                finished.signal()
            }
        }
    }

    /// Stops accepting, lets in-flight responses be written, closes idle connections, and returns when all are
    /// closed or `gracePeriod` seconds have passed (then the rest are closed). Safe from any thread.
    package func shutdown(gracePeriod: Double) {
        for mailbox in mailboxes { mailbox.requestShutdown(gracePeriod: gracePeriod) }
        let deadline = DispatchTime.now() + gracePeriod + 1
        if started.load(ordering: .acquiring) {
            for _ in loops { _ = finished.wait(timeout: deadline) }
        }
        listener.close()
    }
}
