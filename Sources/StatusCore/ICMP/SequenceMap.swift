// fping-style sequence map: 65,536 slots keyed by the 16-bit echo sequence, each remembering which host a ping
// was for and when it was sent, so replies, errors and timeouts find their ping — and late or duplicate
// replies are recognised instead of completing a later ping.
import Foundation

public struct SequenceMap {
    public enum State: Sendable { case empty, pending, answered, expired }

    public struct Slot {
        public var state: State = .empty
        public var token = 0
        public var family: ICMPFamily = .v4
        public var destination: SocketAddress?
        public var sentAt = MonotonicInstant(nanoseconds: 0)
        public var sentWall = Date(timeIntervalSince1970: 0)
        public var sentRealtimeNanoseconds: Int64 = 0
    }

    /// What an arriving reply or error matched.
    public enum Match {
        case pending(Slot)
        case late(Slot)
        case duplicate
        case unknown
    }

    private var slots: [Slot]
    private var next: UInt16
    /// Pings whose slot was reused while still pending (more than 65,536 outstanding): counted, never silent.
    public private(set) var overwritten = 0

    public init(firstSequence: UInt16 = UInt16.random(in: 0...UInt16.max)) {
        slots = Array(repeating: Slot(), count: 65_536)
        next = firstSequence
    }

    /// Takes the next sequence number for a new ping and records it as pending.
    public mutating func allocate(_ slot: Slot) -> UInt16 {
        let sequence = next
        next &+= 1
        if slots[Int(sequence)].state == .pending { overwritten += 1 }
        var stored = slot
        stored.state = .pending
        slots[Int(sequence)] = stored
        return sequence
    }

    public func slot(_ sequence: UInt16) -> Slot { slots[Int(sequence)] }

    /// A reply (or error) for `sequence` arrived on a socket of `family`: pending → answered.
    public mutating func answer(_ sequence: UInt16, family: ICMPFamily) -> Match {
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
    public mutating func expire(_ sequence: UInt16, sentAt: MonotonicInstant) -> Slot? {
        let slot = slots[Int(sequence)]
        guard slot.state == .pending, slot.sentAt == sentAt else { return nil }
        slots[Int(sequence)].state = .expired
        return slot
    }
}
