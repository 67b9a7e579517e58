// What the monitor knows of one host, as a value, and the pure step from (that state, one input) to (the next
// state, its effects): ping results counted in the order the pings were sent, whatever order they arrive in, the
// thresholds, the causes of a failure streak, and the incident's lifecycle. No clock, queue or I/O: the monitor
// feeds it and carries the effects out, and the tests run it over every interleaving of outcomes.
import Encoding
import Foundation
import ICMP

package struct HostTracker: Sendable {
    /// What can happen to a host.
    package enum Input: Sendable {
        /// Ping number `number` (from `nextPing`) completed.
        case completed(number: UInt32, PingResult)
        /// An ICMP error arrived for a ping that had already timed out.
        case lateError(PingFailure)
        /// The database has this ongoing incident for the host (learned when it was first reached).
        case databaseIncident(OngoingIncident)
    }

    /// What the monitor must do about it.
    package enum Effect: Equatable, Sendable {
        /// A ping counted: the host's state after it.
        case pinged(outcome: PingOutcome, sentAt: Date, completedAt: Date, isDown: Bool, downSince: Date?, flipped: Bool)
        case opened(cause: String, downDetection: Date)
        case closed(cause: String, downDetection: Date?, upDetection: Date, announced: Bool)
        case described(cause: String)
        case adopted(cause: String, downDetection: Date)
    }

    private var health: HealthTracker
    private var causes = FailureStreakCauses()
    private var timeout: ConfigDuration
    /// Send time of the first good ping since the last failed one; nil while failing or before any ping.
    package private(set) var upSince: Date?
    /// The ongoing incident's start and cause ("" when a restart left only its start); nil while up.
    package private(set) var ongoing: (since: Date, cause: String)?
    /// The ongoing incident this run opened says only "no reply": a clearer cause may still replace it, once.
    private var incidentSaysOnlyTimeout = false
    /// The number the next ping gets, and the number of the next result to count.
    private var nextNumber: UInt32 = 0
    private var nextToCount: UInt32 = 0
    /// Results that arrived before an earlier ping's, by number, until that one completes.
    private var early: [UInt32: PingResult] = [:]
    /// More early results than this means a result went missing: counting skips ahead rather than stall.
    static let earlyLimit = 16

    /// `downSince`: the host had an ongoing incident beginning then when the daemon started.
    package init(failureThreshold: Int, recoveryThreshold: Int, timeout: ConfigDuration, downSince: Date? = nil) {
        health = HealthTracker(failureThreshold: failureThreshold, recoveryThreshold: recoveryThreshold,
                               isDown: downSince != nil)
        self.timeout = timeout
        ongoing = downSince.map { (since: $0, cause: "") }
    }

    package var isDown: Bool { health.isDown }

    /// Not declared down, but the last ping counted failed (a streak toward the failure threshold is running).
    package var isFailing: Bool { !health.isDown && health.failureStreak > 0 }

    /// The host's own cause of the ongoing outage, as the tracker knows it.
    package var ownCause: String { ongoing?.cause ?? causes.description(timeout: timeout) }

    /// Takes new thresholds and timeout (a reloaded host file) without losing the state or the streaks so far.
    package mutating func retune(failureThreshold: Int, recoveryThreshold: Int, timeout: ConfigDuration) {
        health.retune(failureThreshold: failureThreshold, recoveryThreshold: recoveryThreshold)
        self.timeout = timeout
    }

    /// Results waiting for an earlier ping's.
    package var waitingResults: Int { early.count }

    /// Numbers the ping about to be sent (or to fail at once, as an unresolved name's does).
    package mutating func nextPing() -> UInt32 {
        defer { nextNumber &+= 1 }
        return nextNumber
    }

    /// The pure step: the state after `input`, and what it leads to.
    package static func step(_ state: HostTracker, _ input: Input) -> (HostTracker, [Effect]) {
        var next = state
        let effects = next.apply(input)
        return (next, effects)
    }

    /// `step` in place.
    package mutating func apply(_ input: Input) -> [Effect] {
        var effects: [Effect] = []
        apply(input, into: &effects)
        return effects
    }

    /// `step` in place, appending the effects to `effects` (the monitor passes one buffer it reuses, so counting
    /// a ping allocates nothing).
    package mutating func apply(_ input: Input, into effects: inout [Effect]) {
        switch input {
        case .completed(let number, let result):
            complete(number, result, into: &effects)
        case .lateError(let failure):
            guard case .icmpError = failure else { return }
            causes.explainLate(failure)
            describeBetterIfKnown(into: &effects)
        case .databaseIncident(let incident):
            take(incident, into: &effects)
        }
    }

    private mutating func complete(_ number: UInt32, _ result: PingResult, into effects: inout [Effect]) {
        // Ahead of the next one to count (wrapping): wait for the earlier ones. Behind: already counted or skipped.
        let distance = number &- nextToCount
        guard distance < UInt32(1) << 31 else { return }
        if distance == 0, early.isEmpty {  // the usual case: the result of the oldest ping in flight
            nextToCount &+= 1
            return count(result, into: &effects)
        }
        early[number] = result
        if early.count > Self.earlyLimit, early[nextToCount] == nil,
           let oldest = early.keys.min(by: { ($0 &- nextToCount) < ($1 &- nextToCount) }) {
            nextToCount = oldest
        }
        while let ready = early.removeValue(forKey: nextToCount) {
            nextToCount &+= 1
            count(ready, into: &effects)
        }
    }

    /// One result, in send order.
    private mutating func count(_ result: PingResult, into effects: inout [Effect]) {
        let success: Bool
        switch result.outcome {
        case .reply:
            success = true
            causes.reset()
            if upSince == nil { upSince = result.sentAt }
        case .failed(let failure):
            success = false
            causes.record(failure)
            upSince = nil
        }
        let transition = health.record(success: success, at: result.sentAt)
        switch transition {
        case .wentDown(let since):
            let description = causes.description(timeout: timeout)
            incidentSaysOnlyTimeout = causes.telling == nil
            ongoing = (since: since, cause: description)
            effects.append(.opened(cause: description, downDetection: since))
        case .cameUp(let since):
            incidentSaysOnlyTimeout = false
            effects.append(.closed(cause: ongoing?.cause ?? "", downDetection: ongoing?.since, upDetection: since,
                                   announced: true))
            ongoing = nil
        case nil:
            describeBetterIfKnown(into: &effects)
        }
        effects.append(.pinged(outcome: result.outcome, sentAt: result.sentAt, completedAt: result.completedAt,
                               isDown: health.isDown, downSince: health.isDown ? ongoing?.since : nil,
                               flipped: transition != nil))
    }

    /// Once per outage, replaces an incident's "no reply" description with a clearer cause that arrived since.
    private mutating func describeBetterIfKnown(into effects: inout [Effect]) {
        guard health.isDown, incidentSaysOnlyTimeout, causes.telling != nil else { return }
        incidentSaysOnlyTimeout = false
        let description = causes.description(timeout: timeout)
        ongoing?.cause = description
        effects.append(.described(cause: description))
    }

    /// An ongoing incident the database had: a host this run saw answer gets it closed at its first good ping; a
    /// host not seen answering yet takes it over as its own, so no second one is opened.
    private mutating func take(_ incident: OngoingIncident, into effects: inout [Effect]) {
        if health.isDown {
            if let known = ongoing, known.cause.isEmpty, known.since.isSameMillisecond(as: incident.downDetection) {
                ongoing?.cause = incident.description  // only its start was in the journal
            }
            return
        }
        if let upSince {
            return effects.append(.closed(cause: incident.description, downDetection: incident.downDetection,
                                          upDetection: upSince, announced: false))
        }
        health.adoptDown()
        ongoing = (since: incident.downDetection, cause: incident.description)
        effects.append(.adopted(cause: incident.description, downDetection: incident.downDetection))
    }
}

/// An ongoing incident as the database has it, handed to the monitor once the database is reached.
package struct OngoingIncident: Sendable, Equatable {
    package var id: Int64
    package var description: String
    package var downDetection: Date
    /// It was not notified when it opened: behind a down ancestor, or in maintenance.
    package var unannounced: Bool
    package var maintenance: Bool

    package init(id: Int64, description: String, downDetection: Date, unannounced: Bool = false, maintenance: Bool = false) {
        self.unannounced = unannounced || maintenance
        self.maintenance = maintenance
        self.id = id
        self.description = description
        self.downDetection = downDetection
    }
}
