// A pinger that answers each ping from a script, for the monitor's tests: the outcome of the n-th ping of an
// address, optionally held back until the next ping of that address has been answered (the race a timeout
// equal to the interval makes: ping N's timeout lands after ping N+1's reply). Results come later, on the ping
// queue, as the real pinger's do.
import Dispatch
import Foundation
import ICMP
import Platform
import Synchronization

/// What the test reads back: when each address was pinged.
package final class PingLog: Sendable {
    private let sent = Mutex<[SocketAddress: [Date]]>([:])

    package init() {}

    func record(_ address: SocketAddress, _ date: Date) { sent.withLock { $0[address, default: []].append(date) } }

    package func times(_ address: SocketAddress) -> [Date] { sent.withLock { $0[address] ?? [] } }

    package var addresses: Int { sent.withLock { $0.count } }
}

/// One scripted answer: the outcome, whether it arrives only after the next ping's, and an ICMP error that
/// arrives after it (late).
package struct ScriptedAnswer: Sendable {
    package var outcome: PingOutcome
    package var arrivesAfterNext: Bool
    package var lateError: PingFailure?

    package init(outcome: PingOutcome, arrivesAfterNext: Bool = false, lateError: PingFailure? = nil) {
        self.outcome = outcome
        self.arrivesAfterNext = arrivesAfterNext
        self.lateError = lateError
    }
}

package final class ScriptedPinger: Pinging {
    package var resultHandler: ((PingTag, PingResult) -> Void)?
    package var lateErrorHandler: ((PingTag, PingFailure) -> Void)?
    package var totals = PingerCounters()
    private let log: PingLog
    private let script: @Sendable (SocketAddress, Int) -> ScriptedAnswer
    private var counts: [SocketAddress: Int] = [:]
    private var held: [SocketAddress: (PingTag, PingResult)] = [:]
    private var due: [() -> Void] = []
    private let source: DispatchSourceUserDataAdd

    package init(queue: DispatchQueue, log: PingLog, script: @escaping @Sendable (SocketAddress, Int) -> ScriptedAnswer) {
        self.log = log
        self.script = script
        source = DispatchSource.makeUserDataAddSource(queue: queue)
        source.setEventHandler { [weak self] in self?.deliver() }
        source.resume()
    }

    package convenience init(queue: DispatchQueue, log: PingLog, outcomes: @escaping @Sendable (SocketAddress, Int) -> PingOutcome) {
        self.init(queue: queue, log: log) { ScriptedAnswer(outcome: outcomes($0, $1)) }
    }

    package func ping(_ address: SocketAddress, tag: PingTag, timeoutNanoseconds: UInt64) {
        let n = counts[address, default: 0]
        counts[address] = n + 1
        let sent = Date()
        log.record(address, sent)
        totals.sent += 1
        let answer = script(address, n)
        let result = PingResult(outcome: answer.outcome, sentAt: sent, completedAt: Date())
        let earlier = held.removeValue(forKey: address)
        if answer.arrivesAfterNext {
            held[address] = (tag, result)
        } else {
            due.append { [weak self] in self?.resultHandler?(tag, result) }
        }
        if let (heldTag, heldResult) = earlier { due.append { [weak self] in self?.resultHandler?(heldTag, heldResult) } }
        if let late = answer.lateError { due.append { [weak self] in self?.lateErrorHandler?(tag, late) } }
        source.add(data: 1)
    }

    private func deliver() {
        let ready = due
        due.removeAll()
        for action in ready { action() }
    }
}

