// Timeouts and shutdown: a request head must arrive within the header timeout (408), an idle keep-alive
// connection or a stalled writer is closed after the idle timeout, and a shutdown stops accepting, lets
// in-flight responses go out and closes the rest.
import Platform

extension HTTPEventLoop {
    func sweepTimeouts() {
        let now = MonotonicInstant.now()
        guard now >= nextSweep else { return }
        nextSweep = now.adding(nanoseconds: Self.sweepInterval)
        if let paused = acceptPausedUntil, now >= paused {
            acceptPausedUntil = nil
            if shutdownDeadline == nil { try? epoll.add(listener, events: Self.listenerEvents, token: Self.listenerToken) }
        }
        let writeStall = UInt64(configuration.idleTimeout * 1e9)
        for connection in connections.all {
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

    func beginShutdown(_ grace: Double) {
        shutdownDeadline = deadline(grace)
        try? epoll.remove(listener)
        for connection in connections.all {
            connection.stopReading = true
            if connection.exchanges.isEmpty { connection.closeAfterWrite = true }
            for index in connection.exchanges.indices { connection.exchanges[index].keepAlive = false }
        }
        closeIdleConnections()
    }

    func closeIdleConnections() {
        for connection in connections.all where connection.exchanges.isEmpty && connection.pendingOutput == 0 {
            close(connection)
        }
    }
}
