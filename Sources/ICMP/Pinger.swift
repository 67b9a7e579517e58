// The pinger: one ICMP socket per address family for every host, replies and ICMP errors matched to pings
// through the sequence map, RTT from the kernel's receive timestamp, and timeouts from one deadline timer (a
// timerfd that Dispatch watches like a socket: moving it is one system call on the ping queue, where a Dispatch
// timer's every schedule wakes Dispatch's manager thread, twice a slot when all replies come in).
// Everything runs on the queue it is given (the ping queue), and the pinger is used only there: it is not
// Sendable, so the compiler keeps it off other threads. The per-ping path allocates nothing: results go to one
// handler by the caller's tag, the echo is written into one reusable buffer, and replies are decoded where the
// kernel left them. Every ping gets exactly one result, never from inside `ping` itself.
import Dispatch
import Foundation
import Glibc
import Logging
import Platform

package final class Pinger: Pinging {
    package var resultHandler: ((PingTag, PingResult) -> Void)?
    package var lateErrorHandler: ((PingTag, PingFailure) -> Void)?
    /// Per family, IPv4 then IPv6 (`ICMPFamily.index`).
    var counters = [PingerCounters(), PingerCounters()]

    /// One family's counters.
    package func counters(_ family: ICMPFamily) -> PingerCounters { counters[family.index] }

    /// Both families' counters added up.
    package var totals: PingerCounters { counters[0] + counters[1] }

    let logger: Logger
    private let timeoutNanoseconds: UInt64
    /// Per family, IPv4 then IPv6; nil with the reason in `unavailable` when it could not be opened.
    var sockets: [ICMPSocket?] = [nil, nil]
    private var unavailable: [String?] = [nil, nil]
    private var readSources: [DispatchSourceRead] = []
    var map = SequenceMap()
    private var packet = [UInt8](repeating: 0, count: ICMPPacket.echoRequestLength)
    private var deadlines = DeadlineQueue()
    /// The nearest timeout's deadline, and the source that runs `expireDue` when it has passed.
    private let alarm: TimerFD
    private let alarmSource: DispatchSourceRead
    private var timerArmedFor: MonotonicInstant?
    /// Results that must not be handed over inside `ping` (it failed at once), delivered by `deferredSource`.
    private var deferred: [(PingTag, PingResult)] = []
    private let deferredSource: DispatchSourceUserDataAdd
    /// Our echo identifier in raw mode: random, not the pid (which is 1 in every container).
    let identifier = UInt16.random(in: 1...UInt16.max)

    /// Opens both families' sockets, with receive buffers for `hostCount` replies arriving together (2 KiB
    /// each, at least 1 MiB). A family that cannot be opened is logged and its pings fail with the reason;
    /// throws only when neither can be opened. Use the pinger on `queue` only from then on.
    package init(queue: DispatchQueue, timeout: Double, hostCount: Int = 0, logger: Logger) throws {
        self.timeoutNanoseconds = UInt64(max(timeout, 0.001) * 1e9)
        self.logger = logger
        self.alarm = try TimerFD()
        self.alarmSource = DispatchSource.makeReadSource(fileDescriptor: alarm.fd.rawValue, queue: queue)
        self.deferredSource = DispatchSource.makeUserDataAddSource(queue: queue)
        var firstError: Error?
        for family in [ICMPFamily.v4, .v6] {
            let name = family == .v4 ? "ipv4" : "ipv6"
            do {
                let socket = try ICMPSocket(family: family, receiveBufferBytes: max(1 << 20, hostCount * 2048),
                                            identifier: identifier)
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
        alarmSource.setEventHandler { [weak self] in self?.expireDue() }
        alarmSource.resume()
        deferredSource.setEventHandler { [weak self] in self?.deliverDeferred() }
        deferredSource.resume()
        for case let socket? in sockets {
            let source = DispatchSource.makeReadSource(fileDescriptor: socket.fd.rawValue, queue: queue)
            source.setEventHandler { [weak self] in self?.readAll(socket) }
            source.resume()
            readSources.append(source)
        }
    }

    /// How each family's socket was opened, for diagnostics: "raw", "datagram", or why there is none.
    package var modes: [String: String] {
        var result: [String: String] = [:]
        for family in [ICMPFamily.v4, .v6] {
            result[family == .v4 ? "ipv4" : "ipv6"] = sockets[family.index]?.mode.rawValue ?? unavailable[family.index] ?? "none"
        }
        return result
    }

    /// Sends one echo to `address`; `resultHandler` gets `tag` and the result exactly once, later. The ping times
    /// out after `timeoutNanoseconds` (0: the pinger's own timeout).
    package func ping(_ address: SocketAddress, tag: PingTag, timeoutNanoseconds: UInt64) {
        let family: ICMPFamily = address.family == AF_INET ? .v4 : .v6
        let (sentWall, sentRealtime) = WallClock.now()
        guard let socket = sockets[family.index] else {
            let reason = unavailable[family.index] ?? "no ICMP socket"
            return deliverLater(tag, PingResult(outcome: .failed(.sendFailed(reason)), sentAt: sentWall, completedAt: Date()))
        }
        let sentAt = MonotonicInstant.now()
        let (sequence, evicted) = map.allocate(SequenceMap.Slot(
            tag: tag, family: family, destination: address, sentAt: sentAt, sentRealtimeNanoseconds: sentRealtime))
        if let evicted {
            // More than 65,536 pings outstanding: the oldest one gives its number up and counts as timed out.
            counters[evicted.family.index].timeouts += 1
            deliverLater(evicted.tag, PingResult(outcome: .failed(.timeout), sentAt: evicted.sentWall, completedAt: Date()))
        }
        ICMPPacket.writeEchoRequest(into: &packet, family: family, identifier: identifier, sequence: sequence)
        do {
            switch try send(packet, to: address, on: socket) {
            case .processed:
                counters[family.index].sent += 1
                deadlines.append(sequence: sequence, sentAt: sentAt,
                                 timeout: timeoutNanoseconds > 0 ? timeoutNanoseconds : self.timeoutNanoseconds)
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
        deliverLater(slot.tag, PingResult(outcome: .failed(.sendFailed(reason)), sentAt: slot.sentWall, completedAt: Date()))
    }

    private func deliverLater(_ tag: PingTag, _ result: PingResult) {
        deferred.append((tag, result))
        deferredSource.add(data: 1)
    }

    private func deliverDeferred() {
        let ready = deferred
        deferred.removeAll(keepingCapacity: true)
        for (tag, result) in ready { resultHandler?(tag, result) }
    }

    /// Stops reading and timing; outstanding pings never complete.
    package func close() {
        for source in readSources { source.cancel() }
        readSources.removeAll()
        alarmSource.cancel()
        alarm.fd.close()
        deferredSource.cancel()
        for case let socket? in sockets { socket.fd.close() }
        sockets = [nil, nil]
    }

    // MARK: - Timeouts

    private func armTimer() {
        guard let head = deadlines.first else { return }
        if let armed = timerArmedFor, armed <= head.deadline, armed > MonotonicInstant.now() { return }
        timerArmedFor = head.deadline
        setAlarm(head.deadline)
    }

    private func setAlarm(_ deadline: MonotonicInstant?) {
        do {
            try alarm.set(deadline)
        } catch {
            // Only an invalid descriptor or time fails; the next ping tries again.
            timerArmedFor = nil
            logger.error("ping_timer", ["reason": "\(error)"])
        }
    }

    /// Every ping sent has its answer: the deadlines left have nothing to expire, and the timer need not fire.
    func restIfAllAnswered() {
        guard map.pendingCount == 0, !deadlines.isEmpty else { return }
        deadlines.removeAll()
        timerArmedFor = nil
        setAlarm(nil)
    }

    private func expireDue() {
        alarm.drain()
        timerArmedFor = nil
        for entry in deadlines.popExpired(now: .now()) {
            guard let slot = map.expire(entry.sequence, sentAt: entry.sentAt) else { continue }
            counters[slot.family.index].timeouts += 1
            resultHandler?(slot.tag, PingResult(outcome: .failed(.timeout), sentAt: slot.sentWall, completedAt: Date()))
        }
        armTimer()
    }
}
