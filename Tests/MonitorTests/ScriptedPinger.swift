// A pinger that answers each ping from a script, for the monitor's tests: the outcome of the n-th ping of an
// address, optionally held back until the next ping of that address has been answered (the race a timeout
// equal to the interval makes: ping N's timeout lands after ping N+1's reply). Results come later, on the ping
// queue, as the real pinger's do.
import Dispatch
import Foundation
import ICMP
import Platform
import Synchronization
@testable import Monitor

/// What the test reads back: when each address was pinged.
final class PingLog: Sendable {
    private let sent = Mutex<[SocketAddress: [Date]]>([:])

    func record(_ address: SocketAddress, _ date: Date) { sent.withLock { $0[address, default: []].append(date) } }

    func times(_ address: SocketAddress) -> [Date] { sent.withLock { $0[address] ?? [] } }

    var addresses: Int { sent.withLock { $0.count } }
}

/// One scripted answer: the outcome, whether it arrives only after the next ping's, and an ICMP error that
/// arrives after it (late).
struct ScriptedAnswer: Sendable {
    var outcome: PingOutcome
    var arrivesAfterNext = false
    var lateError: PingFailure?
}

final class ScriptedPinger: Pinging {
    var resultHandler: ((PingTag, PingResult) -> Void)?
    var lateErrorHandler: ((PingTag, PingFailure) -> Void)?
    var totals = PingerCounters()
    private let log: PingLog
    private let script: @Sendable (SocketAddress, Int) -> ScriptedAnswer
    private var counts: [SocketAddress: Int] = [:]
    private var held: [SocketAddress: (PingTag, PingResult)] = [:]
    private var due: [() -> Void] = []
    private let source: DispatchSourceUserDataAdd

    init(queue: DispatchQueue, log: PingLog, script: @escaping @Sendable (SocketAddress, Int) -> ScriptedAnswer) {
        self.log = log
        self.script = script
        source = DispatchSource.makeUserDataAddSource(queue: queue)
        source.setEventHandler { [weak self] in self?.deliver() }
        source.resume()
    }

    convenience init(queue: DispatchQueue, log: PingLog, outcomes: @escaping @Sendable (SocketAddress, Int) -> PingOutcome) {
        self.init(queue: queue, log: log) { ScriptedAnswer(outcome: outcomes($0, $1)) }
    }

    func ping(_ address: SocketAddress, tag: PingTag) {
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

/// Every event the monitor emitted, in order.
final class EventLog: MonitorObserver {
    private let events = Mutex<[MonitorEvent]>([])

    func monitor(_ event: MonitorEvent) { events.withLock { $0.append(event) } }

    var all: [MonitorEvent] { events.withLock { $0 } }

    var opened: [IncidentOpened] { all.compactMap { if case .incidentOpened(let o) = $0 { return o }; return nil } }
    var closed: [IncidentClosed] { all.compactMap { if case .incidentClosed(let c) = $0 { return c }; return nil } }
    var adopted: [IncidentOpened] { all.compactMap { if case .incidentAdopted(let a) = $0 { return a }; return nil } }
    var described: [IncidentDescribed] { all.compactMap { if case .incidentDescribed(let d) = $0 { return d }; return nil } }
}
