// The sequence map: wrap-around, expiry, duplicates, late replies that must not complete later pings, and slots
// that grow with the pings in flight.
import Foundation
import Testing
@testable import ICMP
import Logging
import Platform
import TestSupport

@Suite struct SequenceMapTests {
    func slot(token: Int, at nanoseconds: UInt64, family: ICMPFamily = .v4) -> SequenceMap.Slot {
        var slot = SequenceMap.Slot()
        slot.tag = PingTag(host: token, number: 0)
        slot.family = family
        slot.sentAt = MonotonicInstant(nanoseconds: nanoseconds)
        return slot
    }

    @Test func sequencesWrapFrom65535ToZero() {
        var map = SequenceMap(firstSequence: 65534)
        #expect(map.allocate(slot(token: 1, at: 1)).sequence == 65534)
        #expect(map.allocate(slot(token: 2, at: 2)).sequence == 65535)
        #expect(map.allocate(slot(token: 3, at: 3)).sequence == 0)
        guard case .pending(let answered) = map.answer(65535, family: .v4) else { Issue.record("not pending"); return }
        #expect(answered.tag.host == 2)
    }

    @Test func pingsAreOutstandingUntilAnsweredOrExpiredOnce() {
        var map = SequenceMap(firstSequence: 7)
        let first = map.allocate(slot(token: 1, at: 1)).sequence
        let second = map.allocate(slot(token: 2, at: 2)).sequence
        #expect(map.pendingCount == 2)
        _ = map.answer(first, family: .v4)
        _ = map.answer(first, family: .v4)  // a duplicate counts nothing
        #expect(map.pendingCount == 1)
        _ = map.expire(second, sentAt: MonotonicInstant(nanoseconds: 2))
        _ = map.answer(second, family: .v4)  // late
        #expect(map.pendingCount == 0, "the pinger's timeout timer may rest")
    }

    @Test func aDuplicateReplyIsRecognisedNotReportedTwice() {
        var map = SequenceMap(firstSequence: 10)
        let sequence = map.allocate(slot(token: 1, at: 1)).sequence
        guard case .pending = map.answer(sequence, family: .v4) else { Issue.record("first reply"); return }
        guard case .duplicate = map.answer(sequence, family: .v4) else { Issue.record("second reply"); return }
    }

    @Test func aReplyAfterItsTimeoutIsLateAndDoesNotCompleteALaterPing() {
        var map = SequenceMap(firstSequence: 100)
        let first = map.allocate(slot(token: 1, at: 1_000)).sequence
        let second = map.allocate(slot(token: 1, at: 2_000)).sequence
        #expect(map.expire(first, sentAt: MonotonicInstant(nanoseconds: 1_000))?.tag.host == 1)
        guard case .late(let late) = map.answer(first, family: .v4) else { Issue.record("not late"); return }
        #expect(late.sentAt.nanoseconds == 1_000)
        #expect(map.slot(second).state == .pending, "the later ping is still waiting for its own reply")
    }

    @Test func expiryIgnoresAReusedSlot() {
        var map = SequenceMap(firstSequence: 0)
        let sequence = map.allocate(slot(token: 1, at: 1)).sequence
        _ = map.answer(sequence, family: .v4)
        #expect(map.expire(sequence, sentAt: MonotonicInstant(nanoseconds: 1)) == nil, "answered: nothing to expire")
        for _ in 0..<65_535 { _ = map.allocate(slot(token: 2, at: 5)) }
        let reused = map.allocate(slot(token: 3, at: 9)).sequence
        #expect(reused == sequence)
        #expect(map.expire(sequence, sentAt: MonotonicInstant(nanoseconds: 1)) == nil, "the old ping's deadline")
        #expect(map.expire(sequence, sentAt: MonotonicInstant(nanoseconds: 9))?.tag.host == 3)
        #expect(map.overwritten == 0, "the reused slots had been answered or never used")
        let (_, evicted) = map.allocate(slot(token: 4, at: 10))
        #expect(map.overwritten == 1, "reusing a slot whose ping is still pending is counted")
        #expect(evicted?.tag.host == 2, "and the ping that held it is handed back, to be completed")
    }

    @Test func aReplyOnTheOtherFamilysSocketIsUnknown() {
        var map = SequenceMap(firstSequence: 5)
        let sequence = map.allocate(slot(token: 1, at: 1, family: .v6)).sequence
        guard case .unknown = map.answer(sequence, family: .v4) else { Issue.record("matched across families"); return }
    }

    @Test func theSlotsStartSmallAndGrowWithThePingsInFlightKeepingEveryOneFindable() {
        var map = SequenceMap(firstSequence: 65_000)
        #expect(map.capacity == 1_024, "ten hosts do not need 3 MiB of slots")
        var sent: [(UInt16, Int)] = []
        for token in 0..<3_000 { sent.append((map.allocate(slot(token: token, at: UInt64(token))).sequence, token)) }
        #expect(map.capacity == 16_384, "doubled whenever a quarter were pending")
        #expect(map.overwritten == 0)
        for (sequence, token) in sent {
            guard case .pending(let answered) = map.answer(sequence, family: .v4) else {
                Issue.record("ping \(token) (sequence \(sequence)) lost in the growth")
                return
            }
            #expect(answered.tag.host == token)
        }
        #expect(map.pendingCount == 0)
    }

    @Test func aReplyForAnOlderUseOfASlotDoesNotCompleteThePingNowInIt() {
        var map = SequenceMap(firstSequence: 10, capacity: 256)
        let old = map.allocate(slot(token: 1, at: 1)).sequence
        _ = map.expire(old, sentAt: MonotonicInstant(nanoseconds: 1))
        for _ in 0..<255 {
            let sequence = map.allocate(slot(token: 2, at: 2)).sequence
            _ = map.answer(sequence, family: .v4)
        }
        let newer = map.allocate(slot(token: 3, at: 3)).sequence
        #expect(map.capacity == 256 && newer == old &+ 256, "the same slot, another round")
        guard case .unknown = map.answer(old, family: .v4) else { Issue.record("the old reply matched"); return }
        guard case .pending(let answered) = map.answer(newer, family: .v4) else { Issue.record("newer lost"); return }
        #expect(answered.tag.host == 3)
    }
}
