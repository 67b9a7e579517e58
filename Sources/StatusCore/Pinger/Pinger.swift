// The pinger: one ICMP socket per address family for every host, replies and ICMP errors matched to pings
// through the sequence map, RTT from the kernel's receive timestamp, and timeouts from one deadline timer.
// Everything runs on the queue it is given (the monitor's ping queue): no locks. The per-ping path allocates
// nothing: results go to one handler by the caller's token, the echo is written into one reusable buffer, and
// replies are decoded where the kernel left them.
import Dispatch
import Foundation
import Glibc

public final class Pinger: Pinging {
    /// Counters for one address family.
    public struct Counters: Sendable {
        public var sent = 0, replies = 0, errors = 0, timeouts = 0, late = 0, duplicates = 0, foreign = 0, sendFailures = 0
    }

    public var resultHandler: ((Int, PingResult) -> Void)?
    public var lateErrorHandler: ((Int, PingOutcome) -> Void)?
    /// Per family, IPv4 then IPv6 (`ICMPFamily.index`).
    private var counters = [Counters(), Counters()]

    /// One family's counters. Read on the queue.
    public func counters(_ family: ICMPFamily) -> Counters { counters[family.index] }

    /// Both families' counters added up. Read on the queue.
    public var totals: Counters {
        var sum = Counters()
        for counter in counters {
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
    /// Per family, IPv4 then IPv6; nil with the reason in `unavailable` when it could not be opened.
    private var sockets: [ICMPSocket?] = [nil, nil]
    private var unavailable: [String?] = [nil, nil]
    private var readSources: [DispatchSourceRead] = []
    private var map = SequenceMap()
    private var packet = [UInt8](repeating: 0, count: ICMPPacket.echoRequestLength)
    private var deadlines = DeadlineQueue()
    private let timer: DispatchSourceTimer
    private var timerArmedFor: MonotonicInstant?
    /// Our echo identifier in raw mode: random, not the pid (which is 1 in every container).
    let identifier = UInt16.random(in: 1...UInt16.max)

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
                sockets[family.index] = socket
                if let reason = socket.fallbackReason {
                    logger.info("icmp_socket", ["family": name, "mode": socket.mode.rawValue, "reason": reason])
                } else {
                    logger.info("icmp_socket", ["family": name, "mode": socket.mode.rawValue])
                }
            } catch {
                firstError = firstError ?? error
                unavailable[family.index] = "no ICMP socket: \(error)"
                logger.error("icmp_socket", ["family": name, "mode": "none", "reason": "\(error)"])
            }
        }
        if sockets.allSatisfy({ $0 == nil }), let firstError { throw firstError }
        timer.setEventHandler { [weak self] in self?.expireDue() }
        timer.resume()
        for case let socket? in sockets {
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
            result[family == .v4 ? "ipv4" : "ipv6"] = sockets[family.index]?.mode.rawValue ?? unavailable[family.index] ?? "none"
        }
        return result
    }

    /// Sends one echo to `address`; `resultHandler` gets `token` and the result on the queue exactly once.
    /// Call on the queue.
    public func ping(_ address: SocketAddress, token: Int) {
        let family: ICMPFamily = address.family == AF_INET ? .v4 : .v6
        var realtime = timespec()
        clock_gettime(CLOCK_REALTIME, &realtime)
        let sentWall = Date(timeIntervalSince1970: Double(realtime.tv_sec) + Double(realtime.tv_nsec) / 1e9)
        guard let socket = sockets[family.index] else {
            let reason = unavailable[family.index] ?? "no ICMP socket"
            queue.async { [weak self] in
                self?.resultHandler?(token, PingResult(outcome: .sendFailed(reason), sentAt: sentWall, completedAt: Date()))
            }
            return
        }
        let sentAt = MonotonicInstant.now()
        let sequence = map.allocate(SequenceMap.Slot(
            token: token, family: family, destination: address, sentAt: sentAt, sentWall: sentWall,
            sentRealtimeNanoseconds: Int64(realtime.tv_sec) * 1_000_000_000 + Int64(realtime.tv_nsec)))
        ICMPPacket.writeEchoRequest(into: &packet, family: family, identifier: identifier, sequence: sequence)
        do {
            switch try send(packet, to: address, on: socket) {
            case .processed:
                counters[family.index].sent += 1
                deadlines.append(.init(sequence: sequence, sentAt: sentAt,
                                       deadline: sentAt.adding(nanoseconds: timeoutNanoseconds)))
                armTimer()
            case .wouldBlock:
                fail(sequence, family, "the ICMP socket's send buffer is full")
            }
        } catch {
            fail(sequence, family, "\(error)")
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

    private func fail(_ sequence: UInt16, _ family: ICMPFamily, _ reason: String) {
        counters[family.index].sendFailures += 1
        let slot = map.slot(sequence)
        _ = map.answer(sequence, family: family)
        queue.async { [weak self] in
            self?.resultHandler?(slot.token, PingResult(outcome: .sendFailed(reason), sentAt: slot.sentWall, completedAt: Date()))
        }
    }

    /// Stops reading and timing; outstanding pings never complete.
    public func close() {
        for source in readSources { source.cancel() }
        readSources.removeAll()
        timer.cancel()
        for case let socket? in sockets { socket.fd.close() }
        sockets = [nil, nil]
    }

    // MARK: - Receiving

    private func readAll(_ socket: ICMPSocket) {
        for _ in 0..<1024 {
            do {
                let read = try socket.receive { bytes, source, kernelRealtime in
                    handle(bytes, from: source, kernelRealtime: kernelRealtime, on: socket)
                }
                guard read else { break }
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

    private func handle(_ bytes: UnsafeRawBufferPointer, from source: SocketAddress?, kernelRealtime: Int64?,
                        on socket: ICMPSocket) {
        let family = socket.family
        switch ICMPPacket.decode(bytes, family: family, withIPHeader: socket.readsIncludeIPHeader) {
        case .echoReply(let identifier, let sequence):
            // Datagram sockets only see their own replies, with the kernel's identifier.
            guard socket.mode == .datagram || identifier == self.identifier else {
                counters[family.index].foreign += 1
                return
            }
            // A reply must come from the address pinged; replies to a loopback address may come from another.
            if let source, let destination = map.slot(sequence).destination,
               !source.hasSameAddress(as: destination), !destination.isLoopback {
                counters[family.index].foreign += 1
                return
            }
            complete(sequence, family: family, outcome: nil, kernelRealtime: kernelRealtime)
        case .error(let kind, let identifier, let sequence, let destination):
            guard socket.mode == .datagram || identifier == self.identifier,
                  map.slot(sequence).destination?.addressBytes == destination else {
                counters[family.index].foreign += 1
                return
            }
            complete(sequence, family: family, outcome: .icmpError(kind: kind, reportedBy: source?.ipString ?? "unknown"),
                     kernelRealtime: nil)
        case .ignored, .malformed:
            counters[family.index].foreign += 1
        }
    }

    /// Completes the ping `sequence` with a reply (`outcome` nil) or an error.
    private func complete(_ sequence: UInt16, family: ICMPFamily, outcome: PingOutcome?, kernelRealtime: Int64?) {
        switch map.answer(sequence, family: family) {
        case .pending(let slot):
            let now = Date()
            let result: PingOutcome
            if let outcome {
                counters[family.index].errors += 1
                result = outcome
            } else {
                counters[family.index].replies += 1
                result = .reply(rttMilliseconds: roundTrip(slot, kernelRealtime: kernelRealtime))
            }
            resultHandler?(slot.token, PingResult(outcome: result, sentAt: slot.sentWall, completedAt: now))
        case .late(let slot):
            counters[family.index].late += 1
            if let outcome { lateErrorHandler?(slot.token, outcome) }
        case .duplicate:
            counters[family.index].duplicates += 1
        case .unknown:
            counters[family.index].foreign += 1
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
            counters[slot.family.index].timeouts += 1
            resultHandler?(slot.token, PingResult(outcome: .timeout, sentAt: slot.sentWall, completedAt: Date()))
        }
        armTimer()
    }
}
