// One epoll event loop, on a thread of its own: the loop itself and the dispatch of readiness events. What it does
// with them is in the extensions beside this file: accepting (+Accepting), reading and framing requests
// (+Requests), answering and writing (+Writing), timeouts and shutdown (+Timeouts). The loop and everything it
// owns (connections, handler, buffers) are used on its thread only: it is not Sendable, and reaches that thread
// through a Handoff. Other threads talk to it through its LoopMailbox.
import Foundation
import Glibc
import Logging
import Platform

final class HTTPEventLoop {
    static let listenerToken = UInt64.max
    static let wakeToken = UInt64.max - 1
    static let readEvents = Epoll.input | Epoll.readHangup
    /// Each loop watches a listening socket of its own (SO_REUSEPORT: the kernel picks the socket per connection).
    static let listenerEvents = Epoll.input
    /// Connections taken per listener wake-up (HAProxy's default maxaccept): a burst is accepted in one go, and
    /// then the loop serves what it has before it looks again.
    static let acceptsPerWake = 64
    /// Bytes written to one connection per turn of the loop before the others' events are served (nginx's
    /// sendfile_max_chunk, in spirit): a large body goes out in steps, so it delays no other answer for long.
    static let writeBytesPerTurn = 256 * 1024
    /// Timeouts are checked at most this often (nanoseconds): a sweep visits every connection.
    static let sweepInterval: UInt64 = 100_000_000
    /// epoll_wait's longest sleep while there is nothing to time out: "forever", until an event or the mailbox.
    static let sleepForever: Int32 = -1
    /// The scheduler slice the loop asks for (the kernel's shortest): a loop wakes for microseconds of work, and
    /// with the default slice it could wait milliseconds behind a busy pinger or view builder on a small machine.
    static let schedulerSlice: UInt64 = 100_000

    let listener: FileDescriptor
    let configuration: HTTPServerConfiguration
    let handler: HTTPHandler
    let logger: Logger
    let epoll: Epoll
    let mailbox: LoopMailbox
    let budget: ConnectionBudget
    var writer: HTTPResponseWriter
    var connections = ConnectionTable()
    var shutdownDeadline: MonotonicInstant?
    var acceptPausedUntil: MonotonicInstant?
    /// The nearest deadline the loop must look at (a connection's timeout, the end of an accept pause); nil while
    /// there is none, and then the loop sleeps in epoll_wait until something arrives.
    var nextSweep: MonotonicInstant?
    var readBuffer = [UInt8](repeating: 0, count: 65_536)
    /// An emptied buffer of deliveries, swapped into the mailbox on the next drain.
    var spareDeliveries: [LoopMailbox.Delivery] = []

    /// `index`: this loop's place among the server's loops (its shard of the response counts).
    init(listener: FileDescriptor, configuration: HTTPServerConfiguration, budget: ConnectionBudget, handler: HTTPHandler,
         mailbox: LoopMailbox, index: Int, logger: Logger) throws {
        self.listener = listener
        self.budget = budget
        self.configuration = configuration
        self.handler = handler
        self.mailbox = mailbox
        self.logger = logger
        self.epoll = try Epoll()
        self.writer = HTTPResponseWriter(commonHeaders: configuration.commonHeaders, counts: configuration.responseCounts,
                                         shard: index)
        try epoll.add(listener, events: Self.listenerEvents, token: Self.listenerToken)
        try epoll.add(mailbox.wake.fd, events: Epoll.input, token: Self.wakeToken)
    }

    /// Runs until shutdown has finished (every connection closed, or the grace period over).
    func run() {
        mailbox.bindToCurrentThread()
        do {
            try Threads.setSchedulerSlice(nanoseconds: Self.schedulerSlice)
        } catch {
            logger.debug("http_loop_slice", ["reason": "\(error)"])
        }
        while true {
            do {
                try epoll.wait(timeoutMilliseconds: waitTimeout()) { token, events in
                    self.dispatch(token: token, events: events)
                }
            } catch {
                logger.error("http_loop", ["reason": "\(error)"])
                usleep(10_000)
            }
            drainMailbox()
            sweepTimeouts()
            if let deadline = shutdownDeadline {
                closeIdleConnections()
                if connections.count == 0 || MonotonicInstant.now() >= deadline { break }
            }
        }
        for connection in connections.all { close(connection) }
        try? epoll.remove(listener)  // the server closes the listeners once every loop has stopped
    }

    private func dispatch(token: UInt64, events: UInt32) {
        switch token {
        case Self.listenerToken:
            acceptAll()
        case Self.wakeToken:
            mailbox.wake.drain()
        default:
            guard let connection = connections.connection(for: token) else { return }
            let errorOrHangup = events & (Epoll.error | Epoll.hangup) != 0
            if events & Epoll.input | Epoll.readHangup != 0 || errorOrHangup { readable(connection) }
            if let still = connections.connection(for: token), events & Epoll.output != 0 || errorOrHangup {
                flush(still)
                if let open = connections.connection(for: token) { process(open) }
            }
            if let open = connections.connection(for: token) { updateInterest(open) }
        }
    }

    /// Applies what other threads (and handlers on this one) handed over: responses, and a shutdown request.
    func drainMailbox() {
        var deliveries = spareDeliveries
        spareDeliveries = []
        let (arrived, shutdown) = mailbox.takeAll(into: &deliveries)
        if arrived {
            for delivery in deliveries { apply(delivery) }  // may drain again: the spare is not shared meanwhile
            deliveries.removeAll(keepingCapacity: true)
        }
        if spareDeliveries.capacity < deliveries.capacity { spareDeliveries = deliveries }
        if let grace = shutdown, shutdownDeadline == nil { beginShutdown(grace) }
    }

    /// A deadline `seconds` from now, which the loop wakes for.
    func deadline(_ seconds: Double) -> MonotonicInstant {
        let instant = MonotonicInstant.after(seconds: seconds)
        wake(at: instant)
        return instant
    }

    /// The loop looks at its timeouts at `instant` (or earlier, for a nearer one).
    func wake(at instant: MonotonicInstant) {
        if let next = nextSweep, next <= instant { return }
        nextSweep = instant
    }

    /// Milliseconds until the nearest deadline (rounded up, so the loop does not wake just before it), or forever.
    private func waitTimeout() -> Int32 {
        guard let wake = [nextSweep, shutdownDeadline].compactMap({ $0 }).min() else { return Self.sleepForever }
        let milliseconds = (wake.nanoseconds(since: .now()) + 999_999) / 1_000_000
        return Int32(min(milliseconds, UInt64(Int32.max)))
    }
}
