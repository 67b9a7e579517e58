// The pure step of one host's state: results counted in the order the pings were sent whatever order they arrive
// in (checked over every interleaving), the two ways arrival order used to fool the thresholds, and the database's
// ongoing incident taken over or closed.
import Encoding
import Foundation
import ICMP
import Testing
@testable import Monitor

@Suite struct HostTrackerTests {
    let timeout = ConfigDuration(nanoseconds: 1_000_000_000)

    func sent(_ n: Int) -> Date { Date(timeIntervalSince1970: 1_795_986_000 + Double(n)) }

    func result(_ n: Int, _ success: Bool) -> PingResult {
        PingResult(outcome: success ? .reply(rttMilliseconds: 0.2) : .failed(.timeout), sentAt: sent(n),
                   completedAt: sent(n).addingTimeInterval(success ? 0.001 : 1))
    }

    /// Sends `outcomes.count` pings, then feeds their results in `order` (indices into `outcomes`).
    func effects(_ outcomes: [Bool], order: [Int], failures: Int, recoveries: Int) -> [HostTracker.Effect] {
        var state = HostTracker(failureThreshold: failures, recoveryThreshold: recoveries, timeout: timeout)
        let numbers = outcomes.map { _ in state.nextPing() }
        var all: [HostTracker.Effect] = []
        for index in order {
            let (next, effects) = HostTracker.step(state, .completed(number: numbers[index], result(index, outcomes[index])))
            state = next
            all += effects
        }
        return all
    }

    /// Every permutation of 0..<n.
    func permutations(_ n: Int) -> [[Int]] {
        guard n > 0 else { return [[]] }
        return permutations(n - 1).flatMap { shorter in (0...shorter.count).map { at in
            var longer = shorter
            longer.insert(n - 1, at: at)
            return longer
        } }
    }

    @Test func anyArrivalOrderCountsLikeSendOrder() {
        let orders = permutations(6)
        for thresholds in [(1, 1), (2, 1), (3, 2)] {
            for pattern in 0..<64 {
                let outcomes = (0..<6).map { pattern >> $0 & 1 == 1 }
                let expected = effects(outcomes, order: Array(0..<6), failures: thresholds.0, recoveries: thresholds.1)
                for order in orders {
                    let got = effects(outcomes, order: order, failures: thresholds.0, recoveries: thresholds.1)
                    guard got == expected else {
                        Issue.record("outcomes \(outcomes), arrival \(order), thresholds \(thresholds): \(got) != \(expected)")
                        return
                    }
                }
            }
        }
    }

    /// Interval 1 s, timeout 1 s: ping 3's timeout fires at ping 4's send and arrives after ping 4's reply.
    @Test func exactlyThreeLostPingsTakeTheHostDownWhateverTheArrivalOrder() {
        let got = effects([true, false, false, false, true], order: [0, 1, 2, 4, 3], failures: 3, recoveries: 1)
        #expect(got.contains(.opened(cause: "no reply to 3 pings (timeout 1s)", downDetection: sent(1))))
        #expect(got.contains(.closed(cause: "no reply to 3 pings (timeout 1s)", downDetection: sent(1), upDetection: sent(4),
                                     announced: true)))
    }

    /// A lost ping answered by the next one's reply before its own timeout is not merged into a later outage.
    @Test func aLostPingBeforeAnOutageIsNotItsStart() {
        let got = effects([false, true, false, false, false], order: [1, 0, 2, 3, 4], failures: 3, recoveries: 1)
        let opened = got.compactMap { effect -> Date? in
            if case .opened(_, let since) = effect { return since }
            return nil
        }
        #expect(opened == [sent(2)], "the outage begins at the first ping of the streak, not the lost one before it")
    }

    @Test func aResultForAPingAlreadyCountedIsIgnored() {
        var tracker = HostTracker(failureThreshold: 1, recoveryThreshold: 1, timeout: timeout)
        let first = tracker.nextPing()
        #expect(tracker.apply(.completed(number: first, result(0, true))).count == 1)
        #expect(tracker.apply(.completed(number: first, result(0, false))).isEmpty, "a second result of one ping")
    }

    @Test func aMissingResultDoesNotStallTheHostForever() {
        var tracker = HostTracker(failureThreshold: 1, recoveryThreshold: 1, timeout: timeout)
        _ = tracker.nextPing()  // never completes
        var counted = 0
        for n in 1...(HostTracker.earlyLimit + 1) {
            let number = tracker.nextPing()
            counted += tracker.apply(.completed(number: number, result(n, true))).count
        }
        #expect(counted == HostTracker.earlyLimit + 1, "counting skipped the lost one once too many waited")
        #expect(tracker.waitingResults == 0)
    }

    @Test func theDatabasesIncidentIsTakenOverByAHostNotSeenAnswering() {
        var tracker = HostTracker(failureThreshold: 2, recoveryThreshold: 1, timeout: timeout)
        let incident = OngoingIncident(id: 3, description: "from before", downDetection: sent(-100))
        #expect(tracker.apply(.databaseIncident(incident)) == [.adopted(cause: "from before", downDetection: sent(-100))])
        #expect(tracker.isDown)
        let up = tracker.apply(.completed(number: tracker.nextPing(), result(0, true)))
        #expect(up.first == .closed(cause: "from before", downDetection: sent(-100), upDetection: sent(0), announced: true))
    }

    @Test func theDatabasesIncidentIsClosedQuietlyForAHostSeenAnswering() {
        var tracker = HostTracker(failureThreshold: 2, recoveryThreshold: 1, timeout: timeout)
        _ = tracker.apply(.completed(number: tracker.nextPing(), result(0, true)))
        let incident = OngoingIncident(id: 3, description: "from before", downDetection: sent(-100))
        #expect(tracker.apply(.databaseIncident(incident))
                    == [.closed(cause: "from before", downDetection: sent(-100), upDetection: sent(0), announced: false)])
        #expect(!tracker.isDown)
    }

    @Test func aRestartedDownHostLearnsItsIncidentsCauseFromTheDatabase() {
        var tracker = HostTracker(failureThreshold: 2, recoveryThreshold: 1, timeout: timeout, downSince: sent(-100))
        #expect(tracker.ongoing?.cause == "")
        _ = tracker.apply(.databaseIncident(OngoingIncident(id: 3, description: "host unreachable", downDetection: sent(-100))))
        #expect(tracker.ongoing?.cause == "host unreachable")
    }
}
