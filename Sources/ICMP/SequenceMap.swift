// fping-style sequence map: slots keyed by the 16-bit echo sequence, each remembering which host a ping was for
// and when it was sent, so replies, errors and timeouts find their ping — and late or duplicate replies are
// recognised instead of completing a later ping. The slots are kept packed (48 bytes each; a `Slot` as such takes
// 80). There are as many as the pings in flight call for: 1,024 (48 KiB) to start with, a sequence's slot being
// its low bits (the high bits are kept in the slot, so a reply for an older use of it is not taken for the
// newer), doubled whenever a quarter of them are pending, up to one per sequence number (65,536, 3 MiB) at
// thousands of hosts. A daemon watching ten hosts does not keep 3 MiB of slots for them.
import Foundation
import Platform

package struct SequenceMap {
    package enum State: UInt8, Sendable { case empty, pending, answered, expired }

    package struct Slot {
        package var state: State = .empty
        package var tag = PingTag(host: 0, number: 0)
        package var family: ICMPFamily = .v4
        /// Kept as its family, port and address bytes (what replies and errors are matched by).
        package var destination: SocketAddress?
        package var sentAt = MonotonicInstant(nanoseconds: 0)
        package var sentRealtimeNanoseconds: Int64 = 0

        /// The send time as a Date (the same instant as `sentRealtimeNanoseconds`).
        package var sentWall: Date { WallClock.date(nanoseconds: sentRealtimeNanoseconds) }
    }

    /// What an arriving reply or error matched.
    package enum Match {
        case pending(Slot)
        case late(Slot)
        case duplicate
        case unknown
    }

    /// One slot as stored: the fields of `Slot` flattened so that they pack into 48 bytes.
    private struct Packed {
        var host = 0
        var sentAt: UInt64 = 0
        var sentRealtime: Int64 = 0
        var address: (UInt64, UInt64) = (0, 0)
        var number: UInt32 = 0
        var port: UInt16 = 0
        /// Bits 0–1 the state, bit 2 IPv6 (the family), bit 3 a destination is kept, bit 4 it is IPv6.
        var flags: UInt8 = 0
        /// The sequence's bits above the slot's index (8 at most: there are at least 256 slots).
        var round: UInt8 = 0

        init() {}

        init(_ slot: Slot) {
            host = slot.tag.host
            number = slot.tag.number
            sentAt = slot.sentAt.nanoseconds
            sentRealtime = slot.sentRealtimeNanoseconds
            flags = slot.state.rawValue | (slot.family == .v6 ? 4 : 0)
            if let destination = slot.destination {
                let packed = destination.packed
                address = packed.bytes
                port = packed.port
                flags |= 8 | (packed.isV6 ? 16 : 0)
            }
        }

        var state: State {
            get { State(rawValue: flags & 3) ?? .empty }
            set { flags = flags & ~3 | newValue.rawValue }
        }

        var family: ICMPFamily { flags & 4 != 0 ? .v6 : .v4 }

        var destination: SocketAddress? {
            flags & 8 != 0 ? SocketAddress(packed: address, port: port, isV6: flags & 16 != 0) : nil
        }

        var slot: Slot {
            Slot(state: state, tag: PingTag(host: host, number: number), family: family, destination: destination,
                 sentAt: MonotonicInstant(nanoseconds: sentAt), sentRealtimeNanoseconds: sentRealtime)
        }
    }

    private var slots: [Packed]
    /// log2(slots.count): a sequence's slot is its low `shift` bits, its round the bits above.
    private var shift: Int
    private var next: UInt16
    /// Pings whose slot was reused while still pending (more than 65,536 outstanding): counted, never silent.
    package private(set) var overwritten = 0
    /// Pings sent and neither answered nor expired.
    package private(set) var pendingCount = 0

    /// The slots there are now (tests).
    package var capacity: Int { slots.count }

    package init(firstSequence: UInt16 = UInt16.random(in: 0...UInt16.max), capacity: Int = 1_024) {
        shift = max(8, min(16, Int.bitWidth - (max(capacity, 1) - 1).leadingZeroBitCount))
        slots = Array(repeating: Packed(), count: 1 << shift)
        next = firstSequence
    }

    private func index(_ sequence: UInt16) -> Int { Int(sequence) & (slots.count - 1) }

    private func round(_ sequence: UInt16) -> UInt8 { UInt8(truncatingIfNeeded: Int(sequence) >> shift) }

    /// The slot that holds `sequence` now, or an empty one if its slot holds another round's ping.
    private func stored(_ sequence: UInt16) -> Packed {
        let packed = slots[index(sequence)]
        return packed.round == round(sequence) ? packed : Packed()
    }

    /// Twice the slots, each used one moved to where its sequence now falls (no two can meet there: they differ
    /// in their low bits already).
    private mutating func grow() {
        let old = slots
        let oldShift = shift
        shift += 1
        slots = Array(repeating: Packed(), count: 1 << shift)
        for (index, packed) in old.enumerated() where packed.state != .empty {
            let sequence = UInt16(truncatingIfNeeded: Int(packed.round) << oldShift | index)
            var moved = packed
            moved.round = round(sequence)
            slots[self.index(sequence)] = moved
        }
    }

    /// Takes the next sequence number for a new ping and records it as pending. `evicted` is the ping that still
    /// held that number (more than 65,536 outstanding): the caller completes it, so no ping goes without a result.
    package mutating func allocate(_ slot: Slot) -> (sequence: UInt16, evicted: Slot?) {
        if pendingCount * 4 >= slots.count, shift < 16 { grow() }
        let sequence = next
        next &+= 1
        let index = index(sequence)
        var evicted: Slot?
        if slots[index].state == .pending {
            overwritten += 1
            evicted = slots[index].slot
        } else {
            pendingCount += 1
        }
        var stored = Packed(slot)
        stored.state = .pending
        stored.round = round(sequence)
        slots[index] = stored
        return (sequence, evicted)
    }

    package func slot(_ sequence: UInt16) -> Slot { stored(sequence).slot }

    /// Where the ping `sequence` went (nil if it was recorded without a destination).
    package func destination(_ sequence: UInt16) -> SocketAddress? { stored(sequence).destination }

    /// A reply (or error) for `sequence` arrived on a socket of `family`: pending → answered.
    package mutating func answer(_ sequence: UInt16, family: ICMPFamily) -> Match {
        let slot = stored(sequence)
        guard slot.family == family else { return .unknown }
        switch slot.state {
        case .pending:
            slots[index(sequence)].state = .answered
            pendingCount -= 1
            return .pending(slot.slot)
        case .expired: return .late(slot.slot)
        case .answered: return .duplicate
        case .empty: return .unknown
        }
    }

    /// The ping's deadline passed: pending → expired. Returns the slot if it was still pending and was sent at
    /// `sentAt` (a slot reused since belongs to another ping).
    package mutating func expire(_ sequence: UInt16, sentAt: MonotonicInstant) -> Slot? {
        let slot = stored(sequence)
        guard slot.state == .pending, slot.sentAt == sentAt.nanoseconds else { return nil }
        slots[index(sequence)].state = .expired
        pendingCount -= 1
        return slot.slot
    }
}
