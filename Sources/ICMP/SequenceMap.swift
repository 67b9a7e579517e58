// fping-style sequence map: 65,536 slots keyed by the 16-bit echo sequence, each remembering which host a ping
// was for and when it was sent, so replies, errors and timeouts find their ping — and late or duplicate
// replies are recognised instead of completing a later ping. The slots are kept packed (48 bytes each, 3 MiB in
// all; a `Slot` as such takes 80): every one of them is written within seconds at 10,000 hosts.
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
    private var next: UInt16
    /// Pings whose slot was reused while still pending (more than 65,536 outstanding): counted, never silent.
    package private(set) var overwritten = 0
    /// Pings sent and neither answered nor expired.
    package private(set) var pendingCount = 0

    package init(firstSequence: UInt16 = UInt16.random(in: 0...UInt16.max)) {
        slots = Array(repeating: Packed(), count: 65_536)
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
            evicted = slots[Int(sequence)].slot
        } else {
            pendingCount += 1
        }
        var stored = Packed(slot)
        stored.state = .pending
        slots[Int(sequence)] = stored
        return (sequence, evicted)
    }

    package func slot(_ sequence: UInt16) -> Slot { slots[Int(sequence)].slot }

    /// Where the ping `sequence` went (nil if it was recorded without a destination).
    package func destination(_ sequence: UInt16) -> SocketAddress? { slots[Int(sequence)].destination }

    /// A reply (or error) for `sequence` arrived on a socket of `family`: pending → answered.
    package mutating func answer(_ sequence: UInt16, family: ICMPFamily) -> Match {
        let slot = slots[Int(sequence)]
        guard slot.family == family else { return .unknown }
        switch slot.state {
        case .pending:
            slots[Int(sequence)].state = .answered
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
        let slot = slots[Int(sequence)]
        guard slot.state == .pending, slot.sentAt == sentAt.nanoseconds else { return nil }
        slots[Int(sequence)].state = .expired
        pendingCount -= 1
        return slot.slot
    }
}
