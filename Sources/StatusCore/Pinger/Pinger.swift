// The pinger: one ICMP socket per address family for every host, replies and ICMP errors matched to pings
// through the sequence map, RTT from the kernel's receive timestamp, and timeouts from one deadline timer.
// Everything runs on the queue it is given (the monitor's ping queue): no locks.
import Dispatch
import Foundation
import Glibc

public final class Pinger: Pinging {
    /// Counters for one address family.
    public struct Counters: Sendable {
        public var sent = 0, replies = 0, errors = 0, timeouts = 0, late = 0, duplicates = 0, foreign = 0, sendFailures = 0
    }

    public var lateErrorHandler: ((Int, PingOutcome) -> Void)?
    public private(set) var counters: [ICMPFamily: Counters] = [.v4: Counters(), .v6: Counters()]

    /// Both families' counters added up. Read on the queue.
    public var totals: Counters {
        var sum = Counters()
        for counter in counters.values {
            sum.sent += counter.sent
            sum.replies += counter.replies
            sum.errors += counter.errors
            sum.timeouts += counter.timeouts
            sum.late += counter.late
            sum.duplicates += counter.duplicates
            sum.foreign += counter.foreign
            sum.sendFailures += counter.sendFailures
        }
        return sum
    }

    private let queue: DispatchQueue
    private let timeoutNanoseconds: UInt64
    private let logger: Logger
    private var sockets: [ICMPFamily: ICMPSocket] = [:]
    private var unavailable: [ICMPFamily: String] = [:]
    private var readSources: [DispatchSourceRead] = []
    private var map = SequenceMap()
    private var completions = [((PingResult) -> Void)?](repeating: nil, count: 65_536)
    private var deadlines = DeadlineQueue()
    private let timer: DispatchSourceTimer
    private var timerArmedFor: MonotonicInstant?
    /// Our echo identifier in raw mode: random, not the pid (which is 1 in every container).
    private let identifier = UInt16.random(in: 1...UInt16.max)

    /// Opens both families' sockets, with receive buffers for `hostCount` replies arriving together (2 KiB
    /// each, at least 1 MiB). A family that cannot be opened is logged and its pings fail with the reason;
    /// throws only when neither can be opened.
    public init(queue: DispatchQueue, timeout: Double, hostCount: Int = 0, logger: Logger) throws {
        self.queue = queue
        self.timeoutNanoseconds = UInt64(max(timeout, 0.001) * 1e9)
        self.logger = logger
        self.timer = DispatchSource.makeTimerSource(queue: queue)
        var firstError: Error?
        for family in [ICMPFamily.v4, .v6] {
            let name = family == .v4 ? "ipv4" : "ipv6"
            do {
                let socket = try ICMPSocket(family: family, receiveBufferBytes: max(1 << 20, hostCount * 2048))
                sockets[family] = socket
                if let reason = socket.fallbackReason {
                    logger.info("icmp_socket", ["family": name, "mode": socket.mode.rawValue, "reason": reason])
                } else {
                    logger.info("icmp_socket", ["family": name, "mode": socket.mode.rawValue])
                }
            } catch {
                firstError = firstError ?? error
                unavailable[family] = "no ICMP socket: \(error)"
                logger.error("icmp_socket", ["family": name, "mode": "none", "reason": "\(error)"])
            }
        }
        if sockets.isEmpty, let firstError { throw firstError }
        timer.setEventHandler { [weak self] in self?.expireDue() }
        timer.resume()
        for socket in sockets.values {
            let source = DispatchSource.makeReadSource(fileDescriptor: socket.fd.rawValue, queue: queue)
            source.setEventHandler { [weak self] in self?.readAll(socket) }
            source.resume()
            readSources.append(source)
        }
    }

    /// How each family's socket was opened, for diagnostics: "raw", "datagram", or why there is none.
    public var modes: [String: String] {
        var result: [String: String] = [:]
        for family in [ICMPFamily.v4, .v6] {
            result[family == .v4 ? "ipv4" : "ipv6"] = sockets[family]?.mode.rawValue ?? unavailable[family] ?? "none"
        }
        return result
    }

    /// Sends one echo to `address`; `completion` runs on the queue exactly once. Call on the queue.
    public func ping(_ address: SocketAddress, token: Int, completion: @escaping (PingResult) -> Void) {
        let family: ICMPFamily = address.family == AF_INET ? .v4 : .v6
        let sentWall = Date()
        guard let socket = sockets[family] else {
            let reason = unavailable[family] ?? "no ICMP socket"
            queue.async { completion(PingResult(outcome: .sendFailed(reason), sentAt: sentWall, completedAt: Date())) }
            return
        }
        var realtime = timespec()
        clock_gettime(CLOCK_REALTIME, &realtime)
        let sentAt = MonotonicInstant.now()
        let sequence = map.allocate(SequenceMap.Slot(
            token: token, family: family, destination: address, sentAt: sentAt, sentWall: sentWall,
            sentRealtimeNanoseconds: Int64(realtime.tv_sec) * 1_000_000_000 + Int64(realtime.tv_nsec)))
        let packet = ICMPPacket.echoRequest(family: family, identifier: identifier, sequence: sequence)
        do {
            switch try send(packet, to: address, on: socket) {
            case .processed:
                counters[family]?.sent += 1
                completions[Int(sequence)] = completion
                deadlines.append(.init(sequence: sequence, sentAt: sentAt,
                                       deadline: sentAt.adding(nanoseconds: timeoutNanoseconds)))
                armTimer()
            case .wouldBlock:
                fail(sequence, family, "the ICMP socket's send buffer is full", completion)
            }
        } catch {
            fail(sequence, family, "\(error)", completion)
        }
    }

    /// Sends once; on a datagram socket, a failure may be an earlier echo's ICMP error that the kernel reports on
    /// the next call (IP_RECVERR), so the error queue is read (completing the pings it names) and the send retried.
    private func send(_ packet: [UInt8], to address: SocketAddress, on socket: ICMPSocket) throws -> IOResult<Int> {
        do {
            return try socket.send(packet, to: address)
        } catch {
            guard socket.mode == .datagram, drainErrorQueue(socket) > 0 else { throw error }
            return try socket.send(packet, to: address)
        }
    }

    private func fail(_ sequence: UInt16, _ family: ICMPFamily, _ reason: String, _ completion: @escaping (PingResult) -> Void) {
        counters[family]?.sendFailures += 1
        let slot = map.slot(sequence)
        _ = map.answer(sequence, family: family)
        queue.async {
            completion(PingResult(outcome: .sendFailed(reason), sentAt: slot.sentWall, completedAt: Date()))
        }
    }

    /// Stops reading and timing; outstanding pings never complete.
    public func close() {
        for source in readSources { source.cancel() }
        readSources.removeAll()
        timer.cancel()
        for socket in sockets.values { socket.fd.close() }
        sockets.removeAll()
    }

    // MARK: - Receiving

    private func readAll(_ socket: ICMPSocket) {
        for _ in 0..<1024 {
            do {
                guard let received = try socket.receive() else { break }
                handle(received, on: socket)
            } catch {
                // A datagram socket reports a queued ICMP error as a receive error: read the queue, then go on.
                guard socket.mode == .datagram, drainErrorQueue(socket) > 0 else { break }
            }
        }
        if socket.mode == .datagram { drainErrorQueue(socket) }
    }

    /// Completes the pings named by the datagram socket's queued ICMP errors; returns how many entries it read.
    @discardableResult
    private func drainErrorQueue(_ socket: ICMPSocket) -> Int {
        var count = 0
        while count < 1024, let queued = socket.receiveQueuedError() {
            count += 1
            complete(queued.sequence, family: socket.family,
                     outcome: .icmpError(kind: queued.kind, reportedBy: queued.reporter?.ipString ?? "unknown"),
                     kernelRealtime: nil)
        }
        return count
    }

    private func handle(_ received: ICMPSocket.Received, on socket: ICMPSocket) {
        let message = ICMPPacket.decode(received.bytes, family: socket.family, withIPHeader: socket.readsIncludeIPHeader)
        switch message {
        case .echoReply(let identifier, let sequence):
            // Datagram sockets only see their own replies, with the kernel's identifier.
            guard socket.mode == .datagram || identifier == self.identifier else {
                counters[socket.family]?.foreign += 1
                return
            }
            let slot = map.slot(sequence)
            if let source = received.source, let destination = slot.destination,
               source.addressBytes != destination.addressBytes, !isLoopback(destination) {
                counters[socket.family]?.foreign += 1
                return
            }
            complete(sequence, family: socket.family, outcome: nil, kernelRealtime: received.kernelRealtimeNanoseconds)
        case .error(let kind, let identifier, let sequence, let destination):
            guard socket.mode == .datagram || identifier == self.identifier,
                  map.slot(sequence).destination?.addressBytes == destination else {
                counters[socket.family]?.foreign += 1
                return
            }
            complete(sequence, family: socket.family,
                     outcome: .icmpError(kind: kind, reportedBy: received.source?.ipString ?? "unknown"),
                     kernelRealtime: nil)
        case .ignored, .malformed:
            counters[socket.family]?.foreign += 1
        }
    }

    /// Replies to a ping to a loopback address may come from another loopback address.
    private func isLoopback(_ address: SocketAddress) -> Bool {
        let bytes = address.addressBytes
        return bytes.count == 4 ? bytes[0] == 127 : bytes == [UInt8](repeating: 0, count: 15) + [1]
    }

    /// Completes the ping `sequence` with a reply (`outcome` nil) or an error.
    private func complete(_ sequence: UInt16, family: ICMPFamily, outcome: PingOutcome?, kernelRealtime: Int64?) {
        switch map.answer(sequence, family: family) {
        case .pending(let slot):
            let now = Date()
            let result: PingOutcome
            if let outcome {
                counters[family]?.errors += 1
                result = outcome
            } else {
                counters[family]?.replies += 1
                result = .reply(rttMilliseconds: roundTrip(slot, kernelRealtime: kernelRealtime))
            }
            let completion = completions[Int(sequence)]
            completions[Int(sequence)] = nil
            completion?(PingResult(outcome: result, sentAt: slot.sentWall, completedAt: now))
        case .late(let slot):
            counters[family]?.late += 1
            if let outcome { lateErrorHandler?(slot.token, outcome) }
        case .duplicate:
            counters[family]?.duplicates += 1
        case .unknown:
            counters[family]?.foreign += 1
        }
    }

    /// RTT from the kernel's receive time when it is plausible, else from the monotonic clock.
    private func roundTrip(_ slot: SequenceMap.Slot, kernelRealtime: Int64?) -> Double {
        let monotonic = Double(MonotonicInstant.now().nanoseconds(since: slot.sentAt)) / 1e6
        guard let kernelRealtime else { return monotonic }
        let kernel = Double(kernelRealtime - slot.sentRealtimeNanoseconds) / 1e6
        return kernel >= 0 && kernel <= monotonic ? kernel : monotonic
    }

    // MARK: - Timeouts

    private func armTimer() {
        guard let head = deadlines.first else { return }
        if let armed = timerArmedFor, armed <= head.deadline, armed > MonotonicInstant.now() { return }
        timerArmedFor = head.deadline
        let wait = head.deadline.nanoseconds(since: .now())
        timer.schedule(deadline: .now() + .nanoseconds(Int(wait)), leeway: .milliseconds(1))
    }

    private func expireDue() {
        timerArmedFor = nil
        for entry in deadlines.popExpired(now: .now()) {
            guard let slot = map.expire(entry.sequence, sentAt: entry.sentAt) else { continue }
            counters[slot.family]?.timeouts += 1
            let completion = completions[Int(entry.sequence)]
            completions[Int(entry.sequence)] = nil
            completion?(PingResult(outcome: .timeout, sentAt: slot.sentWall, completedAt: Date()))
        }
        armTimer()
    }
}
