// fping-style sequence map: 65,536 slots keyed by the 16-bit echo sequence, each remembering which host a ping
// was for and when it was sent, so replies, errors and timeouts find their ping — and late or duplicate
// replies are recognised instead of completing a later ping.
import Foundation
import Platform

package struct SequenceMap {
    package enum State: Sendable { case empty, pending, answered, expired }

    package struct Slot {
        package var state: State = .empty
        package var tag = PingTag(host: 0, number: 0)
        package var family: ICMPFamily = .v4
        package var destination: SocketAddress?
        package var sentAt = MonotonicInstant(nanoseconds: 0)
        package var sentWall = Date(timeIntervalSince1970: 0)
        package var sentRealtimeNanoseconds: Int64 = 0
    }

    /// What an arriving reply or error matched.
    package enum Match {
        case pending(Slot)
        case late(Slot)
        case duplicate
        case unknown
    }

    private var slots: [Slot]
    private var next: UInt16
    /// Pings whose slot was reused while still pending (more than 65,536 outstanding): counted, never silent.
    package private(set) var overwritten = 0

    package init(firstSequence: UInt16 = UInt16.random(in: 0...UInt16.max)) {
        slots = Array(repeating: Slot(), count: 65_536)
        next = firstSequence
    }

    /// Takes the next sequence number for a new ping and records it as pending. `evicted` is the ping that still
    /// held that number (more than 65,536 outstanding): the caller completes it, so no ping goes without a result.
    package mutating func allocate(_ slot: Slot) -> (sequence: UInt16, evicted: Slot?) {
        let sequence = next
        next &+= 1
        var evicted: Slot?
        if slots[Int(sequence)].state == .pending {
            overwritten += 1
            evicted = slots[Int(sequence)]
        }
        var stored = slot
        stored.state = .pending
        slots[Int(sequence)] = stored
        return (sequence, evicted)
    }

    package func slot(_ sequence: UInt16) -> Slot { slots[Int(sequence)] }

    /// A reply (or error) for `sequence` arrived on a socket of `family`: pending → answered.
    package mutating func answer(_ sequence: UInt16, family: ICMPFamily) -> Match {
        let slot = slots[Int(sequence)]
        guard slot.family == family else { return .unknown }
        switch slot.state {
        case .pending:
            slots[Int(sequence)].state = .answered
            return .pending(slot)
        case .expired: return .late(slot)
        case .answered: return .duplicate
        case .empty: return .unknown
        }
    }

    /// The ping's deadline passed: pending → expired. Returns the slot if it was still pending and was sent at
    /// `sentAt` (a slot reused since belongs to another ping).
    package mutating func expire(_ sequence: UInt16, sentAt: MonotonicInstant) -> Slot? {
        let slot = slots[Int(sequence)]
        guard slot.state == .pending, slot.sentAt == sentAt else { return nil }
        slots[Int(sequence)].state = .expired
        return slot
    }
}
