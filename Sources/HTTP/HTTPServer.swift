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
    /// One per loop (SO_REUSEPORT).
    private let listeners: [FileDescriptor]
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
        let count = max(1, configuration.eventLoops)
        let listeners = try Self.listen(on: configuration.address, count: count)
        boundAddress = try Socket.localAddress(listeners[0]) ?? configuration.address
        let budget = ConnectionBudget(limit: configuration.maxConnections)
        var loops: [Handoff<HTTPEventLoop>] = []
        var mailboxes: [LoopMailbox] = []
        for (index, listener) in listeners.enumerated() {
            let mailbox = try LoopMailbox()
            loops.append(Handoff(try HTTPEventLoop(listener: listener, configuration: configuration, budget: budget,
                                                   handler: makeHandler(), mailbox: mailbox, index: index, logger: logger)))
            mailboxes.append(mailbox)
        }
        self.loops = loops
        self.mailboxes = mailboxes
        self.listeners = listeners
    }

    /// One listening socket per event loop, all bound to `address` with SO_REUSEPORT: the kernel spreads new
    /// connections over them by a hash of the client's address and port, so the loops share the load evenly (one
    /// shared socket woke one loop per burst, and that loop took the whole burst). Since SO_REUSEPORT would also let a
    /// second daemon join the group without a word, a socket without it is bound first and closed: anything already
    /// listening there, this daemon's own group included, makes that bind fail, so "address in use" stays a start-up
    /// error.
    private static func listen(on address: SocketAddress, count: Int) throws -> [FileDescriptor] {
        let type = Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        let label = address.family == AF_INET ? "AF_INET, SOCK_STREAM" : "AF_INET6, SOCK_STREAM"
        func socket(reusePort: Bool) throws -> FileDescriptor {
            let fd = try Socket.open(family: address.family, type: type, protocol: 0, label: label)
            do {
                try Socket.setOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, value: Int32(1), label: "SO_REUSEADDR")
                if reusePort {
                    try Socket.setOption(fd, level: SOL_SOCKET, name: SO_REUSEPORT, value: Int32(1), label: "SO_REUSEPORT")
                }
                if address.family == AF_INET6 {
                    try Socket.setOption(fd, level: Int32(IPPROTO_IPV6), name: IPV6_V6ONLY, value: Int32(0), label: "IPV6_V6ONLY")
                }
            } catch {
                fd.close()
                throw error
            }
            return fd
        }
        if address.port != 0 {
            let probe = try socket(reusePort: false)
            defer { probe.close() }
            try Socket.bind(probe, to: address)
        }
        var listeners: [FileDescriptor] = []
        do {
            var bindTo = address
            for _ in 0..<count {
                let fd = try socket(reusePort: true)
                listeners.append(fd)
                try Socket.bind(fd, to: bindTo)
                try Socket.listen(fd, backlog: 1024)
                if bindTo.port == 0, let bound = try Socket.localAddress(fd) { bindTo = bound }  // the rest join its port
            }
        } catch {
            for fd in listeners { fd.close() }
            throw error
        }
        return listeners
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
        for listener in listeners { listener.close() }
    }
}
