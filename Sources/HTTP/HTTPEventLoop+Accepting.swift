// Accepting: up to 64 connections per wake-up, the server-wide connection limit (503 beyond it), and a pause when
// the process is out of descriptors or memory.
import Glibc
import Platform

extension HTTPEventLoop {
    func acceptAll() {
        if let paused = acceptPausedUntil, MonotonicInstant.now() < paused { return }
        for _ in 0..<Self.acceptsPerWake {
            let accepted: IOResult<(FileDescriptor, SocketAddress?)>
            do {
                accepted = try Socket.accept(listener)
            } catch let error as SystemError where [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(error.errno) {
                logger.warning("http_accept_paused", ["reason": "\(error)"])
                let resume = MonotonicInstant.now().adding(nanoseconds: 100_000_000)
                acceptPausedUntil = resume
                wake(at: resume)
                try? epoll.remove(listener)  // until the pause is over
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
        let (token, index) = connections.reserve()
        let connection = HTTPConnection(fd: fd, token: token, limits: configuration.limits)
        connection.headerDeadline = deadline(configuration.headerTimeout)
        do {
            try epoll.add(fd, events: Self.readEvents, token: token)
        } catch {
            logger.warning("http_register", ["reason": "\(error)"])
            fd.close()
            budget.giveBack()
            connections.release(index)
            return
        }
        connection.registeredEvents = Self.readEvents
        connections.insert(connection, at: index)
    }

    func close(_ connection: HTTPConnection) {
        guard connections.remove(connection) else { return }
        try? epoll.remove(connection.fd)
        connection.fd.close()
        budget.giveBack()
    }
}
