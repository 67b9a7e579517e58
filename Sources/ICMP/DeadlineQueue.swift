// Outstanding pings in deadline order. Pings with the same timeout expire in sending order, so one FIFO per
// distinct timeout (a host file may give hosts their own; there are a handful at most) replaces a timer per
// ping, and one timer armed for the earliest head serves them all. A ping stays queued until its deadline even
// when answered (about a second's pings at 10,000 hosts), unless every ping is answered: then the queue is
// emptied and the timer disarmed, so a quiet pinger does not wake for deadlines that have nothing to expire. Each
// FIFO is a ring of 16-byte entries, which grows to the most pings ever waiting and never moves them.
import Platform

struct DeadlineQueue {
    struct Entry {
        var sequence: UInt16
        var sentAt: MonotonicInstant
        var deadline: MonotonicInstant
    }

    /// One timeout's pings, in sending order, in a ring whose size is a power of two.
    private struct Lane {
        let timeout: UInt64
        private var ring: [(sentAt: UInt64, sequence: UInt16)] = []
        private var head = 0
        private(set) var count = 0

        init(timeout: UInt64) {
            self.timeout = timeout
        }

        var first: Entry? {
            guard count > 0 else { return nil }
            return entry(ring[head])
        }

        mutating func append(sequence: UInt16, sentAt: MonotonicInstant) {
            if count == ring.count { grow() }
            ring[(head + count) & (ring.count - 1)] = (sentAt.nanoseconds, sequence)
            count += 1
        }

        mutating func removeAll() {
            head = 0
            count = 0
        }

        mutating func removeFirst() {
            head = (head + 1) & (ring.count - 1)
            count -= 1
        }

        private func entry(_ stored: (sentAt: UInt64, sequence: UInt16)) -> Entry {
            let sentAt = MonotonicInstant(nanoseconds: stored.sentAt)
            return Entry(sequence: stored.sequence, sentAt: sentAt, deadline: sentAt.adding(nanoseconds: timeout))
        }

        /// Twice the room, the entries in order from the start.
        private mutating func grow() {
            var larger: [(sentAt: UInt64, sequence: UInt16)] = []
            larger.reserveCapacity(max(64, ring.count * 2))
            for offset in 0..<count { larger.append(ring[(head + offset) & (ring.count - 1)]) }
            larger += repeatElement((sentAt: UInt64(0), sequence: UInt16(0)), count: max(64, ring.count * 2) - count)
            ring = larger
            head = 0
        }
    }

    private var lanes: [Lane] = []

    var isEmpty: Bool { lanes.allSatisfy { $0.count == 0 } }

    /// The entry whose deadline comes first.
    var first: Entry? {
        var earliest: Entry?
        for lane in lanes {
            guard let entry = lane.first else { continue }
            if earliest.map({ entry.deadline < $0.deadline }) ?? true { earliest = entry }
        }
        return earliest
    }

    /// Adds a ping sent at `sentAt` that times out `timeout` nanoseconds later.
    mutating func append(sequence: UInt16, sentAt: MonotonicInstant, timeout: UInt64) {
        if let index = lanes.firstIndex(where: { $0.timeout == timeout }) {
            lanes[index].append(sequence: sequence, sentAt: sentAt)
        } else {
            var lane = Lane(timeout: timeout)
            lane.append(sequence: sequence, sentAt: sentAt)
            lanes.append(lane)
        }
    }

    /// Forgets every entry (each ping they stand for was answered).
    mutating func removeAll() {
        for index in lanes.indices { lanes[index].removeAll() }
    }

    /// Removes and returns every entry whose deadline is at or before `now`.
    mutating func popExpired(now: MonotonicInstant) -> [Entry] {
        var expired: [Entry] = []
        for index in lanes.indices {
            while let entry = lanes[index].first, entry.deadline <= now {
                expired.append(entry)
                lanes[index].removeFirst()
            }
        }
        if expired.count > 1 { expired.sort { $0.deadline < $1.deadline } }
        return expired
    }
}
