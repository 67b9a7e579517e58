// The up/down state machine of one host: failure and recovery thresholds over consecutive ping results.
import Foundation

/// Counts consecutive failed and good pings. A host goes down after `failureThreshold` failures in a row and
/// comes back after `recoveryThreshold` good pings in a row; the transition carries the time of the first ping
/// of the streak that caused it (the incident's `down_detection` / `up_detection`).
package struct HealthTracker: Equatable, Sendable {
    package enum Transition: Equatable, Sendable {
        case wentDown(since: Date)
        case cameUp(since: Date)
    }

    package private(set) var failureThreshold: Int
    package private(set) var recoveryThreshold: Int
    package private(set) var isDown: Bool
    package private(set) var failureStreak = 0
    package private(set) var successStreak = 0
    private var streakStart: Date?

    /// `isDown` is true when the host had an ongoing incident when the daemon started.
    package init(failureThreshold: Int, recoveryThreshold: Int, isDown: Bool = false) {
        precondition(failureThreshold >= 1 && recoveryThreshold >= 1, "thresholds are validated by Configuration")
        self.failureThreshold = failureThreshold
        self.recoveryThreshold = recoveryThreshold
        self.isDown = isDown
    }

    /// New thresholds (a reloaded host file), keeping the streaks: a streak already past a lower threshold
    /// transitions at its next ping.
    package mutating func retune(failureThreshold: Int, recoveryThreshold: Int) {
        precondition(failureThreshold >= 1 && recoveryThreshold >= 1, "thresholds are validated by the host file")
        self.failureThreshold = failureThreshold
        self.recoveryThreshold = recoveryThreshold
    }

    /// Takes over an ongoing incident the database knew of and this run did not (it started without the
    /// database and without a state directory): the host is down from now on, until it recovers.
    package mutating func adoptDown() {
        isDown = true
        failureStreak = 0
        successStreak = 0
        streakStart = nil
    }

    /// Records one ping result, taken at `time`; returns the transition it causes, if any.
    package mutating func record(success: Bool, at time: Date) -> Transition? {
        if success {
            failureStreak = 0
            guard isDown else { successStreak = 0; streakStart = nil; return nil }
            successStreak += 1
            if successStreak == 1 { streakStart = time }
            guard successStreak >= recoveryThreshold else { return nil }
            let since = streakStart ?? time
            isDown = false
            successStreak = 0
            streakStart = nil
            return .cameUp(since: since)
        } else {
            successStreak = 0
            if isDown { failureStreak += 1; streakStart = nil; return nil }
            failureStreak += 1
            if failureStreak == 1 { streakStart = time }
            guard failureStreak >= failureThreshold else { return nil }
            let since = streakStart ?? time
            isDown = true
            streakStart = nil
            return .wentDown(since: since)
        }
    }
}
