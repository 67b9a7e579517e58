// The epoll event loop: accepts connections, reads and parses requests, hands them to the handler, takes
// responses back from other threads through a locked inbox plus an eventfd (the lock is taken only when
// something is in it), writes with back-pressure, and enforces the connection limit and the header, idle and
// write timeouts.
import CLinux
import Foundation
import Glibc
import Synchronization

final class HTTPEventLoop: @unchecked Sendable {
    private static let listenerToken = UInt64.max
    private static let wakeToken = UInt64.max - 1
    private static let readEvents = UInt32(EPOLLIN.rawValue | EPOLLRDHUP.rawValue)
    /// Every loop watches the one listening socket; EPOLLEXCLUSIVE wakes one of them per connection, not all.
    private static let listenerEvents = UInt32(EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue)
    /// Connections taken per listener wake-up (HAProxy's default maxaccept): a burst is accepted in one go,
    /// while EPOLLEXCLUSIVE hands connections that arrive one at a time to whichever loop is idle.
    private static let acceptsPerWake = 64

    private let listener: FileDescriptor
    private let configuration: HTTPServerConfiguration
    private let handler: HTTPHandler
    private let logger: Logger
    private let epoll: Epoll
    private let wake: EventFD
    private var writer: HTTPResponseWriter

    // Connection slots: token = generation << 32 | slot index, so events for a reused slot are recognised as stale.
    private var slots: [HTTPConnection?] = []
    private var generations: [UInt32] = []
    private var freeSlots: [Int] = []
    private var connectionCount = 0

    private let inboxLock = NSLock()
    /// Set after something is put in the inbox, so an empty inbox is seen without taking the lock.
    private let inboxFilled = Atomic<Bool>(false)
    private let name: String
    private var inbox: [(token: UInt64, sequence: UInt64, response: HTTPResponse)] = []
    private var shutdownRequested: Double?
    private var shutdownDeadline: MonotonicInstant?
    private var acceptPausedUntil: MonotonicInstant?
    private var nextSweep = MonotonicInstant.now()
    /// Timeouts are checked at most this often (nanoseconds): a sweep visits every connection.
    private static let sweepInterval: UInt64 = 100_000_000
    private var loopThread: pthread_t?
    private var readBuffer = [UInt8](repeating: 0, count: 65_536)

    private let budget: ConnectionBudget

    /// `index`: this loop's place among the server's loops (its shard of the response counts).
    init(listener: FileDescriptor, configuration: HTTPServerConfiguration, budget: ConnectionBudget, handler: HTTPHandler,
         name: String, index: Int = 0, logger: Logger) throws {
        self.name = name
        self.listener = listener
        self.budget = budget
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        self.epoll = try Epoll()
        self.wake = try EventFD()
        self.writer = HTTPResponseWriter(commonHeaders: configuration.commonHeaders, counts: configuration.responseCounts, shard: index)
        try epoll.add(listener, events: Self.listenerEvents, token: Self.listenerToken)
        try epoll.add(wake.fd, events: UInt32(EPOLLIN.rawValue), token: Self.wakeToken)
    }

    func requestShutdown(gracePeriod: Double) {
        inboxLock.lock()
        shutdownRequested = gracePeriod
        inboxLock.unlock()
        inboxFilled.store(true, ordering: .releasing)
        wake.signal()
    }

    // MARK: - The loop

    func run() {
        loopThread = pthread_self()
        Thread.current.name = name  // shown by top -H and /proc/<pid>/task/*/comm
        while true {
            let timeout: Int32 = 250
            do {
                try epoll.wait(timeoutMilliseconds: timeout) { token, events in
                    self.dispatch(token: token, events: events)
                }
            } catch {
                logger.error("http_loop", ["reason": "\(error)"])
                usleep(10_000)
            }
            drainInbox()
            sweepTimeouts()
            if let deadline = shutdownDeadline {
                closeIdleConnections()
                if connectionCount == 0 || MonotonicInstant.now() >= deadline { break }
            }
        }
        for case let connection? in slots { close(connection) }
        try? epoll.remove(listener)  // the server closes the shared listener once every loop has stopped
    }

    private func dispatch(token: UInt64, events: UInt32) {
        switch token {
        case Self.listenerToken:
            acceptAll()
        case Self.wakeToken:
            wake.drain()
        default:
            guard let connection = connection(for: token) else { return }
            let errorOrHangup = events & UInt32(EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0
            if events & UInt32(EPOLLIN.rawValue | EPOLLRDHUP.rawValue) != 0 || errorOrHangup { readable(connection) }
            if let still = self.connection(for: token), events & UInt32(EPOLLOUT.rawValue) != 0 || errorOrHangup {
                flush(still)
                if let open = self.connection(for: token) { process(open) }
            }
            if let open = self.connection(for: token) { updateInterest(open) }
        }
    }

    private func connection(for token: UInt64) -> HTTPConnection? {
        let index = Int(token & 0xFFFF_FFFF)
        guard index < slots.count, let connection = slots[index], connection.token == token else { return nil }
        return connection
    }

    // MARK: - Accepting

    private func acceptAll() {
        if let paused = acceptPausedUntil, MonotonicInstant.now() < paused { return }
        for _ in 0..<Self.acceptsPerWake {
            let accepted: IOResult<(FileDescriptor, SocketAddress?)>
            do {
                accepted = try Socket.accept(listener)
            } catch let error as SystemError where error.errno == EMFILE || error.errno == ENFILE || error.errno == ENOBUFS || error.errno == ENOMEM {
                logger.warning("http_accept_paused", ["reason": "\(error)"])
                acceptPausedUntil = MonotonicInstant.now().adding(nanoseconds: 100_000_000)
                try? epoll.remove(listener)  // EPOLLEXCLUSIVE registrations cannot be modified, only removed
                return
            } catch {
                continue  // ECONNABORTED and the like concern only that connection.
            }
            guard case .processed(let (fd, _)) = accepted else { return }
            guard budget.take() else {
                refuseOverLimit(fd)
                continue
            }
            register(fd)
        }
    }

    /// Answers 503 to a connection over the limit without reading from it, then closes it.
    private func refuseOverLimit(_ fd: FileDescriptor) {
        var output = OutputQueue()
        writer.write(.error(503, "too many connections; try again shortly"), headOnly: false, keepAlive: false,
                     http10: false, into: &output)
        _ = try? output.send(to: fd)
        fd.close()
    }

    private func register(_ fd: FileDescriptor) {
        let index: Int
        if let free = freeSlots.popLast() {
            index = free
        } else {
            index = slots.count
            slots.append(nil)
            generations.append(0)
        }
        generations[index] &+= 1
        let token = UInt64(generations[index]) << 32 | UInt64(index)
        let connection = HTTPConnection(fd: fd, token: token)
        connection.headerDeadline = deadline(configuration.headerTimeout)
        do {
            try epoll.add(fd, events: Self.readEvents, token: token)
        } catch {
            logger.warning("http_register", ["reason": "\(error)"])
            fd.close()
            budget.giveBack()
            freeSlots.append(index)
            return
        }
        connection.registeredEvents = Self.readEvents
        slots[index] = connection
        connectionCount += 1
    }

    private func close(_ connection: HTTPConnection) {
        let index = Int(connection.token & 0xFFFF_FFFF)
        guard index < slots.count, slots[index] === connection else { return }
        try? epoll.remove(connection.fd)
        connection.fd.close()
        slots[index] = nil
        freeSlots.append(index)
        connectionCount -= 1
        budget.giveBack()
    }

    // MARK: - Reading and parsing

    private func readable(_ connection: HTTPConnection) {
        while wantsInput(connection) {
            let result: IOResult<Int>
            do {
                result = try readBuffer.withUnsafeMutableBytes { try Socket.receive(connection.fd, into: $0) }
            } catch {
                close(connection)
                return
            }
            guard case .processed(let count) = result else { break }
            if count == 0 {
                connection.peerClosed = true
                connection.stopReading = true
                break
            }
            connection.input += readBuffer[0..<count]
            if count < readBuffer.count { break }
        }
        process(connection)
        if connection.peerClosed, connection.exchanges.isEmpty, connection.pendingOutput == 0 {
            close(connection)
            return
        }
        if connection.stopReading && !connection.peerClosed && connection.exchanges.isEmpty
            && connection.pendingOutput == 0 && connection.closeAfterWrite {
            close(connection)
        }
    }

    private func process(_ connection: HTTPConnection) {
        while !connection.input.isEmpty {
            if connection.body != nil {
                guard drainBody(connection) else { return }
                continue
            }
            if connection.stopReading && !connection.peerClosed { return }
            if connection.closeAfterWrite { return }
            guard connection.exchanges.count < configuration.maxPipelinedRequests,
                  connection.pendingOutput < configuration.maxPendingOutputBytes else { return }
            let parsed = connection.input.withUnsafeBytes { HTTPParser.parse($0, limits: configuration.limits) }
            switch parsed {
            case .incomplete:
                if connection.headerDeadline == nil { connection.headerDeadline = deadline(configuration.headerTimeout) }
                return
            case .invalid(let status, let reason):
                answerAndClose(connection, .error(status, reason))
                return
            case .complete(let head, let consumed):
                connection.consumeInput(consumed)
                connection.headerDeadline = nil
                connection.idleDeadline = nil
                start(head, on: connection)
            }
        }
    }

    private func start(_ head: HTTPRequestHead, on connection: HTTPConnection) {
        if case .length(let length) = head.body, length > configuration.maxBodyBytes {
            answerAndClose(connection, .error(413, "request body too large"))
            return
        }
        guard head.body != .none else { return dispatchRequest(head, on: connection) }
        if head.expectContinue, connection.exchanges.isEmpty, connection.pendingOutput == 0 {
            connection.output.appendOwn { $0.append(contentsOf: "HTTP/1.1 100 Continue\r\n\r\n".utf8) }
            flush(connection)
        }
        connection.body = HTTPBodyReader(body: head.body, limit: configuration.maxBodyBytes)
        connection.headAwaitingBody = head
        connection.headerDeadline = deadline(configuration.headerTimeout)
    }

    /// Discards body bytes; returns true when the body ended and the request was dispatched.
    private func drainBody(_ connection: HTTPConnection) -> Bool {
        guard var reader = connection.body else { return true }
        let result = connection.input.withUnsafeBytes { reader.consume($0) }
        connection.body = reader
        switch result {
        case .needMore(let consumed):
            connection.consumeInput(consumed)
            return false
        case .invalid(let status, let reason):
            connection.body = nil
            answerAndClose(connection, .error(status, reason))
            return false
        case .done(let consumed):
            connection.consumeInput(consumed)
            connection.body = nil
            connection.headerDeadline = nil
            if let head = connection.headAwaitingBody {
                connection.headAwaitingBody = nil
                dispatchRequest(head, on: connection)
            }
            return true
        }
    }

    private func dispatchRequest(_ head: HTTPRequestHead, on connection: HTTPConnection) {
        let keepAlive = head.keepAlive && shutdownDeadline == nil
        let sequence = connection.begin(headOnly: head.request.method == "HEAD", keepAlive: keepAlive,
                                        http10: head.request.versionMinor == 0)
        if !keepAlive { connection.stopReading = true }
        let token = connection.token
        handler.handle(head.request) { [weak self] response in
            self?.deliver(token: token, sequence: sequence, response: response)
        }
    }

    /// Queues an error response after whatever is pending, then closes once it is written.
    private func answerAndClose(_ connection: HTTPConnection, _ response: HTTPResponse) {
        connection.stopReading = true
        connection.input.removeAll()
        let sequence = connection.begin(headOnly: false, keepAlive: false, http10: false)
        _ = connection.fulfil(sequence, with: response)
        connection.serialiseReady(with: &writer)
        flush(connection)
    }

    // MARK: - Responses and writing

    /// Called by handlers from any thread; on the loop thread it applies at once.
    private func deliver(token: UInt64, sequence: UInt64, response: HTTPResponse) {
        if let loopThread, pthread_equal(loopThread, pthread_self()) != 0 {
            apply(token: token, sequence: sequence, response: response)
            return
        }
        inboxLock.lock()
        inbox.append((token, sequence, response))
        inboxLock.unlock()
        inboxFilled.store(true, ordering: .releasing)
        wake.signal()
    }

    private func drainInbox() {
        guard inboxFilled.exchange(false, ordering: .acquiringAndReleasing) else { return }
        inboxLock.lock()
        let items = inbox
        inbox.removeAll()
        let shutdown = shutdownRequested
        shutdownRequested = nil
        inboxLock.unlock()
        for item in items { apply(token: item.token, sequence: item.sequence, response: item.response) }
        if let grace = shutdown, shutdownDeadline == nil { beginShutdown(grace) }
    }

    private func apply(token: UInt64, sequence: UInt64, response: HTTPResponse) {
        guard let connection = connection(for: token), connection.fulfil(sequence, with: response) else { return }
        connection.serialiseReady(with: &writer)
        flush(connection)
        if let still = self.connection(for: token) {
            if !still.stopReading || still.peerClosed { process(still) }  // requests held back by the limits go on
            if let open = self.connection(for: token) { updateInterest(open) }
        }
    }

    private func flush(_ connection: HTTPConnection) {
        while connection.pendingOutput > 0 {
            let result: IOResult<Int>
            do {
                result = try connection.output.send(to: connection.fd)
            } catch {
                close(connection)
                return
            }
            guard case .processed(let written) = result, written > 0 else {
                connection.waitingForWritable = true
                updateInterest(connection)
                return
            }
            connection.lastWriteProgress = .now()
        }
        connection.waitingForWritable = false
        if connection.closeAfterWrite || (connection.peerClosed && connection.exchanges.isEmpty) {
            Socket.shutdown(connection.fd, how: Int32(SHUT_WR))
            close(connection)
            return
        }
        if connection.isIdle { connection.idleDeadline = deadline(configuration.idleTimeout) }
    }

    // MARK: - Back-pressure

    /// Whether to read more from a connection: not once it stopped taking requests, and not while it has a
    /// full input buffer, the most pipelined requests in flight, or the most unsent output (a client that does
    /// not read its responses is not read from either).
    private func wantsInput(_ connection: HTTPConnection) -> Bool {
        !connection.stopReading && !connection.closeAfterWrite
            && connection.input.count < configuration.limits.maxRequestLineBytes + configuration.limits.maxHeaderBytes + 4096
            && connection.exchanges.count < configuration.maxPipelinedRequests
            && connection.pendingOutput < configuration.maxPendingOutputBytes
    }

    /// Registers exactly the events the connection can act on now, so level-triggered epoll never reports a
    /// socket the loop will not read or write (which would spin the loop). Errors and hang-ups always arrive.
    private func updateInterest(_ connection: HTTPConnection) {
        var events: UInt32 = 0
        if wantsInput(connection) { events |= Self.readEvents }
        if connection.waitingForWritable { events |= UInt32(EPOLLOUT.rawValue) }
        guard events != connection.registeredEvents else { return }
        do {
            try epoll.modify(connection.fd, events: events, token: connection.token)
            connection.registeredEvents = events
        } catch {
            close(connection)
        }
    }

    // MARK: - Timeouts and shutdown

    private func deadline(_ seconds: Double) -> MonotonicInstant {
        MonotonicInstant.now().adding(nanoseconds: UInt64(max(seconds, 0) * 1e9))
    }

    private func sweepTimeouts() {
        let now = MonotonicInstant.now()
        guard now >= nextSweep else { return }
        nextSweep = now.adding(nanoseconds: Self.sweepInterval)
        if let paused = acceptPausedUntil, now >= paused {
            acceptPausedUntil = nil
            if shutdownDeadline == nil { try? epoll.add(listener, events: Self.listenerEvents, token: Self.listenerToken) }
        }
        let writeStall = UInt64(configuration.idleTimeout * 1e9)
        for case let connection? in slots {
            if connection.pendingOutput > 0 {
                if now.nanoseconds(since: connection.lastWriteProgress) > writeStall { close(connection) }
                continue
            }
            if let header = connection.headerDeadline, now >= header, !connection.closeAfterWrite {
                if connection.input.isEmpty && connection.body == nil && connection.exchanges.isEmpty {
                    close(connection)
                } else {
                    answerAndClose(connection, .error(408, "the request did not arrive in time"))
                }
                continue
            }
            if let idle = connection.idleDeadline, now >= idle, connection.isIdle {
                close(connection)
            }
        }
    }

    private func beginShutdown(_ grace: Double) {
        shutdownDeadline = deadline(grace)
        try? epoll.remove(listener)
        for case let connection? in slots {
            connection.stopReading = true
            if connection.exchanges.isEmpty { connection.closeAfterWrite = true }
            for index in connection.exchanges.indices { connection.exchanges[index].keepAlive = false }
        }
        closeIdleConnections()
    }

    private func closeIdleConnections() {
        for case let connection? in slots where connection.exchanges.isEmpty && connection.pendingOutput == 0 {
            close(connection)
        }
    }
}
