// The pinger's read path: every datagram on a family's socket decoded where the kernel left it, matched through
// the sequence map to the ping it answers, and handed to the result handler; datagram sockets' queued ICMP
// errors likewise. Replies to other processes' echoes and errors about other packets are counted as foreign.
import Foundation
import Platform

extension Pinger {
    func readAll(_ socket: ICMPSocket) {
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
    func drainErrorQueue(_ socket: ICMPSocket) -> Int {
        var count = 0
        while count < 1024, let queued = socket.receiveQueuedError() {
            count += 1
            complete(queued.sequence, family: socket.family,
                     failure: .icmpError(kind: queued.kind, reportedBy: queued.reporter?.ipString ?? "unknown"),
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
            if let source, let destination = map.destination(sequence),
               !source.hasSameAddress(as: destination), !destination.isLoopback {
                counters[family.index].foreign += 1
                return
            }
            complete(sequence, family: family, failure: nil, kernelRealtime: kernelRealtime)
        case .error(let kind, let identifier, let sequence, let destination):
            guard socket.mode == .datagram || identifier == self.identifier,
                  map.destination(sequence)?.addressBytes == destination else {
                counters[family.index].foreign += 1
                return
            }
            complete(sequence, family: family, failure: .icmpError(kind: kind, reportedBy: source?.ipString ?? "unknown"),
                     kernelRealtime: nil)
        case .ignored, .malformed:
            counters[family.index].foreign += 1
        }
    }

    /// Completes the ping `sequence` with a reply (`failure` nil) or an error.
    private func complete(_ sequence: UInt16, family: ICMPFamily, failure: PingFailure?, kernelRealtime: Int64?) {
        switch map.answer(sequence, family: family) {
        case .pending(let slot):
            let now = Date()
            let outcome: PingOutcome
            if let failure {
                counters[family.index].errors += 1
                outcome = .failed(failure)
            } else {
                counters[family.index].replies += 1
                outcome = .reply(rttMilliseconds: roundTrip(slot, kernelRealtime: kernelRealtime))
            }
            resultHandler?(slot.tag, PingResult(outcome: outcome, sentAt: slot.sentWall, completedAt: now))
            restIfAllAnswered()
        case .late(let slot):
            counters[family.index].late += 1
            if let failure { lateErrorHandler?(slot.tag, failure) }
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
}
