// Reading and framing: bytes from the socket into the connection's input, request heads parsed incrementally
// (each byte looked at once, however slowly the head arrives), bodies read and discarded, and each complete
// request handed to the handler with the way back to this loop.
import Platform

extension HTTPEventLoop {
    func readable(_ connection: HTTPConnection) {
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

    /// Parses and starts every complete request the input holds, as far as the limits on requests in flight and
    /// unsent output allow.
    func process(_ connection: HTTPConnection) {
        while !connection.input.isEmpty {
            if connection.body != nil {
                guard drainBody(connection) else { return }
                continue
            }
            if connection.stopReading && !connection.peerClosed { return }
            if connection.closeAfterWrite { return }
            guard connection.exchanges.count < configuration.maxPipelinedRequests,
                  connection.pendingOutput < configuration.maxPendingOutputBytes else { return }
            let parsed = connection.input.withUnsafeBytes { connection.parser.parse($0) }
            switch parsed {
            case .incomplete:
                if connection.headerDeadline == nil { connection.headerDeadline = deadline(configuration.headerTimeout) }
                return
            case .invalid(let status, let reason):
                answerAndClose(connection, .error(status, reason))
                return
            case .complete(let head, let consumed):
                connection.consumeInput(consumed)
                connection.parser.reset()
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

    /// Hands the request to the handler. An answer it has at once is queued here, with nothing handed over; one
    /// it gives later (from any thread) comes back through the mailbox.
    private func dispatchRequest(_ head: HTTPRequestHead, on connection: HTTPConnection) {
        let keepAlive = head.keepAlive && shutdownDeadline == nil
        let sequence = connection.begin(headOnly: head.request.method == "HEAD", keepAlive: keepAlive,
                                        http10: head.request.versionMinor == 0)
        if !keepAlive { connection.stopReading = true }
        switch handler.answer(head.request) {
        case .now(let response):
            apply(.init(token: connection.token, sequence: sequence, response: response))
        case .later(let start):
            let token = connection.token
            let mailbox = self.mailbox
            start { response in mailbox.deliver(.init(token: token, sequence: sequence, response: response)) }
            drainMailbox()
        }
    }

    /// Queues an error response after whatever is pending, then closes once it is written.
    func answerAndClose(_ connection: HTTPConnection, _ response: HTTPResponse) {
        connection.stopReading = true
        connection.input.removeAll()
        connection.parser.reset()
        let sequence = connection.begin(headOnly: false, keepAlive: false, http10: false)
        _ = connection.fulfil(sequence, with: response)
        connection.serialiseReady(with: &writer)
        flush(connection)
    }
}
