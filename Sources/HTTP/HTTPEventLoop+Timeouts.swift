// Timeouts and shutdown: a request head must arrive within the header timeout (408), an idle keep-alive
// connection or a stalled writer is closed after the idle timeout, and a shutdown stops accepting, lets
// in-flight responses go out and closes the rest.
import Platform

extension HTTPEventLoop {
    /// At the nearest deadline: closes or answers what timed out, and finds the next deadline (at most one sweep
    /// per sweepInterval, whatever the connections' deadlines).
    func sweepTimeouts() {
        let now = MonotonicInstant.now()
        guard let next = nextSweep, now >= next else { return }
        nextSweep = nil
        if let paused = acceptPausedUntil {
            if now >= paused {
                acceptPausedUntil = nil
                if shutdownDeadline == nil { try? epoll.add(listener, events: Self.listenerEvents, token: Self.listenerToken) }
            } else {
                wake(at: paused)
            }
        }
        let writeStall = UInt64(configuration.idleTimeout * 1e9)
        for connection in connections.all {
            if connection.pendingOutput > 0 {
                let stalled = connection.lastWriteProgress.adding(nanoseconds: writeStall)
                if now > stalled { close(connection) } else { wake(at: stalled) }
                continue
            }
            if let header = connection.headerDeadline, !connection.closeAfterWrite {
                if now < header {
                    wake(at: header)
                } else if connection.input.isEmpty && connection.body == nil && connection.exchanges.isEmpty {
                    close(connection)
                    continue
                } else {
                    answerAndClose(connection, .error(408, "the request did not arrive in time"))
                    continue
                }
            }
            if let idle = connection.idleDeadline, connection.isIdle {
                if now >= idle { close(connection) } else { wake(at: idle) }
            }
        }
        if let soonest = nextSweep, soonest.nanoseconds(since: now) < Self.sweepInterval {
            nextSweep = now.adding(nanoseconds: Self.sweepInterval)
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
