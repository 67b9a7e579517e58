// One client connection's state, owned by its event loop: unparsed input and how far the head parser got in it,
// the body being drained, the exchanges awaiting responses (answered in request order even when handlers answer
// out of order), and the output not yet written.
import Platform

final class HTTPConnection {
    /// One request awaiting or holding its response.
    struct Exchange {
        var sequence: UInt64
        var headOnly: Bool
        var keepAlive: Bool
        var http10: Bool
        var response: HTTPResponse?
    }

    let fd: FileDescriptor
    let token: UInt64
    var input: [UInt8] = []
    /// Resumes where the last read left the head, so a head arriving byte by byte is scanned once.
    var parser: HTTPHeadParser
    var output = OutputQueue()
    var exchanges: [Exchange] = []
    var nextSequence: UInt64 = 0
    var body: HTTPBodyReader?
    var headAwaitingBody: HTTPRequestHead?
    /// No more requests are read: a request asked to close, an error was answered, or the peer closed.
    var stopReading = false
    /// Close once the output is written.
    var closeAfterWrite = false
    var peerClosed = false
    var waitingForWritable = false
    /// The epoll events currently registered for this connection.
    var registeredEvents: UInt32 = 0
    var headerDeadline: MonotonicInstant?
    var idleDeadline: MonotonicInstant?
    var lastWriteProgress = MonotonicInstant.now()

    init(fd: FileDescriptor, token: UInt64, limits: HTTPParserLimits) {
        self.fd = fd
        self.token = token
        self.parser = HTTPHeadParser(limits: limits)
    }

    var pendingOutput: Int { output.count }

    /// Nothing read, nothing owed, nothing to write: the keep-alive idle state.
    var isIdle: Bool { input.isEmpty && exchanges.isEmpty && pendingOutput == 0 && body == nil }

    /// Adds a request awaiting its response; returns its sequence number.
    func begin(headOnly: Bool, keepAlive: Bool, http10: Bool) -> UInt64 {
        let sequence = nextSequence
        nextSequence += 1
        exchanges.append(Exchange(sequence: sequence, headOnly: headOnly, keepAlive: keepAlive, http10: http10))
        return sequence
    }

    /// Records a handler's response. Returns false if that exchange is unknown (already answered).
    func fulfil(_ sequence: UInt64, with response: HTTPResponse) -> Bool {
        guard let index = exchanges.firstIndex(where: { $0.sequence == sequence }), exchanges[index].response == nil else {
            return false
        }
        exchanges[index].response = response
        return true
    }

    /// Moves answered exchanges at the head of the queue into the output, in order.
    func serialiseReady(with writer: inout HTTPResponseWriter) {
        while let first = exchanges.first, let response = first.response {
            writer.write(response, headOnly: first.headOnly, keepAlive: first.keepAlive, http10: first.http10, into: &output)
            exchanges.removeFirst()
            if !first.keepAlive {
                closeAfterWrite = true
                stopReading = true
                exchanges.removeAll()
                break
            }
        }
    }

    /// Drops bytes the parser consumed.
    func consumeInput(_ count: Int) {
        if count >= input.count { input.removeAll(keepingCapacity: true) } else { input.removeFirst(count) }
    }
}
