// The up/down state machine of one host: failure and recovery thresholds over consecutive ping results.
import Foundation

/// Counts consecutive failed and good pings. A host goes down after `failureThreshold` failures in a row and
/// comes back after `recoveryThreshold` good pings in a row; the transition carries the time of the first ping
/// of the streak that caused it (the incident's `down_detection` / `up_detection`).
public struct HealthTracker: Equatable, Sendable {
    public enum Transition: Equatable, Sendable {
        case wentDown(since: Date)
        case cameUp(since: Date)
    }

    public let failureThreshold: Int
    public let recoveryThreshold: Int
    public private(set) var isDown: Bool
    public private(set) var failureStreak = 0
    public private(set) var successStreak = 0
    private var streakStart: Date?

    /// `isDown` is true when the host had an ongoing incident when the daemon started.
    public init(failureThreshold: Int, recoveryThreshold: Int, isDown: Bool = false) {
        precondition(failureThreshold >= 1 && recoveryThreshold >= 1, "thresholds are validated by Configuration")
        self.failureThreshold = failureThreshold
        self.recoveryThreshold = recoveryThreshold
        self.isDown = isDown
    }

    /// Takes over an ongoing incident the database knew of and this run did not (it started without the
    /// database and without a state directory): the host is down from now on, until it recovers.
    public mutating func adoptDown() {
        isDown = true
        failureStreak = 0
        successStreak = 0
        streakStart = nil
    }

    /// Records one ping result, taken at `time`; returns the transition it causes, if any.
    public mutating func record(success: Bool, at time: Date) -> Transition? {
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
