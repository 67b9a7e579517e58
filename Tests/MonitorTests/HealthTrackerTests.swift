// The threshold state machine: every transition, thresholds above 1, and the streak timestamps incidents use.
import Encoding
import Foundation
import ICMP
import Testing
@testable import Monitor
import Encoding
import ICMP
import Logging
import Platform
import TestSupport

@Suite struct HealthTrackerTests {
    func t(_ second: Double) -> Date { Date(timeIntervalSince1970: 1_000 + second) }

    @Test func upStaysUpOnGoodPings() {
        var tracker = HealthTracker(failureThreshold: 3, recoveryThreshold: 2)
        for second in 0..<5 { #expect(tracker.record(success: true, at: t(Double(second))) == nil) }
        #expect(!tracker.isDown)
    }

    @Test func goesDownOnTheThresholdthFailureWithTheFirstFailureTime() {
        var tracker = HealthTracker(failureThreshold: 3, recoveryThreshold: 1)
        #expect(tracker.record(success: false, at: t(1)) == nil)
        #expect(tracker.record(success: false, at: t(2)) == nil)
        #expect(tracker.record(success: false, at: t(3)) == .wentDown(since: t(1)))
        #expect(tracker.isDown)
        #expect(tracker.record(success: false, at: t(4)) == nil, "further failures do not go down again")
    }

    @Test func aGoodPingResetsTheFailureStreak() {
        var tracker = HealthTracker(failureThreshold: 3, recoveryThreshold: 1)
        _ = tracker.record(success: false, at: t(1))
        _ = tracker.record(success: false, at: t(2))
        #expect(tracker.record(success: true, at: t(3)) == nil)
        #expect(tracker.record(success: false, at: t(4)) == nil)
        #expect(tracker.record(success: false, at: t(5)) == nil)
        #expect(tracker.record(success: false, at: t(6)) == .wentDown(since: t(4)), "the streak restarts at t4")
    }

    @Test func comesUpAfterRecoveryThresholdGoodPingsWithTheFirstGoodTime() {
        var tracker = HealthTracker(failureThreshold: 1, recoveryThreshold: 3)
        #expect(tracker.record(success: false, at: t(1)) == .wentDown(since: t(1)))
        #expect(tracker.record(success: true, at: t(2)) == nil)
        #expect(tracker.record(success: true, at: t(3)) == nil)
        #expect(tracker.record(success: true, at: t(4)) == .cameUp(since: t(2)))
        #expect(!tracker.isDown)
    }

    @Test func aFailureWhileRecoveringRestartsTheRecoveryStreak() {
        var tracker = HealthTracker(failureThreshold: 2, recoveryThreshold: 2)
        _ = tracker.record(success: false, at: t(1))
        #expect(tracker.record(success: false, at: t(2)) == .wentDown(since: t(1)))
        #expect(tracker.record(success: true, at: t(3)) == nil)
        #expect(tracker.record(success: false, at: t(4)) == nil)
        #expect(tracker.record(success: true, at: t(5)) == nil)
        #expect(tracker.record(success: true, at: t(6)) == .cameUp(since: t(5)))
    }

    @Test func thresholdsOfOneFlipOnEveryChange() {
        var tracker = HealthTracker(failureThreshold: 1, recoveryThreshold: 1)
        #expect(tracker.record(success: false, at: t(1)) == .wentDown(since: t(1)))
        #expect(tracker.record(success: true, at: t(2)) == .cameUp(since: t(2)))
        #expect(tracker.record(success: false, at: t(3)) == .wentDown(since: t(3)))
    }

    @Test func startingDownAfterARestartComesUpOnRecovery() {
        var tracker = HealthTracker(failureThreshold: 3, recoveryThreshold: 2, isDown: true)
        #expect(tracker.record(success: false, at: t(1)) == nil, "already down: no second incident")
        #expect(tracker.record(success: true, at: t(2)) == nil)
        #expect(tracker.record(success: true, at: t(3)) == .cameUp(since: t(2)))
    }

    @Test func descriptionsSayWhyInPlainWords() {
        let second = ConfigDuration(nanoseconds: 1_000_000_000)
        var causes = FailureStreakCauses()
        for _ in 0..<3 { causes.record(.timeout) }
        #expect(causes.description(timeout: second) == "no reply to 3 pings (timeout 1s)")
        causes.record(.icmpError(kind: "host unreachable", reportedBy: "192.0.2.1"))
        causes.record(.timeout)
        #expect(causes.description(timeout: second) == "host unreachable, reported by 192.0.2.1")
        causes.reset()
        causes.record(.unresolved(name: "nas.lan", reason: "Name or service not known"))
        #expect(causes.description(timeout: second) == "DNS lookup of nas.lan failed: Name or service not known")
        causes.reset()
        causes.explainLate(.icmpError(kind: "host unreachable", reportedBy: "192.0.2.9"))
        #expect(causes.telling == nil, "a late error outside a streak explains nothing")
    }
}
