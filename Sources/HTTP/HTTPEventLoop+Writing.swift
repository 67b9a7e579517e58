// Answering and writing: a response joins its connection's queue in request order, output goes out with
// gathering writes of at most 256 KiB per connection per turn of the loop, and each connection's epoll interest is exactly what it can act on now (back-pressure: a
// client that does not read its responses is not read from either).
import Glibc
import Platform

extension HTTPEventLoop {
    func apply(_ delivery: LoopMailbox.Delivery) {
        let token = delivery.token
        guard let connection = connections.connection(for: token),
              connection.fulfil(delivery.sequence, with: delivery.response) else { return }
        connection.serialiseReady(with: &writer)
        flush(connection)
        if let still = connections.connection(for: token) {
            if !still.stopReading || still.peerClosed { process(still) }  // requests held back by the limits go on
            if let open = connections.connection(for: token) { updateInterest(open) }
        }
    }

    func flush(_ connection: HTTPConnection) {
        var budget = Self.writeBytesPerTurn
        while connection.pendingOutput > 0 {
            guard budget > 0 else {
                // Its share of this turn is sent: the rest goes when epoll says writable again, after the loop has
                // served the other connections' events (a 3 MB /status must not hold up a small answer).
                connection.waitingForWritable = true
                updateInterest(connection)
                return
            }
            let result: IOResult<Int>
            do {
                result = try connection.output.send(to: connection.fd, limit: budget)
            } catch {
                close(connection)
                return
            }
            guard case .processed(let written) = result, written > 0 else {
                // A reader that stops reading is closed after the idle timeout without progress.
                wake(at: connection.lastWriteProgress.adding(nanoseconds: UInt64(configuration.idleTimeout * 1e9)))
                connection.waitingForWritable = true
                updateInterest(connection)
                return
            }
            connection.lastWriteProgress = .now()
            budget -= written
        }
        connection.waitingForWritable = false
        if connection.closeAfterWrite || (connection.peerClosed && connection.exchanges.isEmpty) {
            Socket.shutdown(connection.fd, how: Int32(SHUT_WR))
            close(connection)
            return
        }
        if connection.isIdle { connection.idleDeadline = deadline(configuration.idleTimeout) }
    }

    /// Whether to read more from a connection: not once it stopped taking requests, and not while it has a
    /// full input buffer, the most pipelined requests in flight, or the most unsent output.
    func wantsInput(_ connection: HTTPConnection) -> Bool {
        !connection.stopReading && !connection.closeAfterWrite
            && connection.input.count < configuration.limits.maxRequestLineBytes + configuration.limits.maxHeaderBytes + 4096
            && connection.exchanges.count < configuration.maxPipelinedRequests
            && connection.pendingOutput < configuration.maxPendingOutputBytes
    }

    /// Registers exactly the events the connection can act on now, so level-triggered epoll never reports a
    /// socket the loop will not read or write (which would spin the loop). Errors and hang-ups always arrive.
    func updateInterest(_ connection: HTTPConnection) {
        var events: UInt32 = 0
        if wantsInput(connection) { events |= Self.readEvents }
        if connection.waitingForWritable { events |= Epoll.output }
        guard events != connection.registeredEvents else { return }
        do {
            try epoll.modify(connection.fd, events: events, token: connection.token)
            connection.registeredEvents = events
        } catch {
            close(connection)
        }
    }
}
