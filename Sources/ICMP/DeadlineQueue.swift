// Outstanding pings in deadline order. Pings with the same timeout expire in sending order, so one FIFO per
// distinct timeout (a host file may give hosts their own; there are a handful at most) replaces a timer per
// ping, and one timer armed for the earliest head serves them all.
import Platform

struct DeadlineQueue {
    struct Entry {
        var sequence: UInt16
        var sentAt: MonotonicInstant
        var deadline: MonotonicInstant
    }

    /// One timeout's pings, in sending order.
    private struct Lane {
        let timeout: UInt64
        var entries: [Entry] = []
        var head = 0
    }

    private var lanes: [Lane] = []

    var isEmpty: Bool { lanes.allSatisfy { $0.head == $0.entries.count } }

    /// The entry whose deadline comes first.
    var first: Entry? {
        var earliest: Entry?
        for lane in lanes where lane.head < lane.entries.count {
            let entry = lane.entries[lane.head]
            if earliest.map({ entry.deadline < $0.deadline }) ?? true { earliest = entry }
        }
        return earliest
    }

    /// Adds a ping sent at `sentAt` that times out `timeout` nanoseconds later.
    mutating func append(sequence: UInt16, sentAt: MonotonicInstant, timeout: UInt64) {
        let entry = Entry(sequence: sequence, sentAt: sentAt, deadline: sentAt.adding(nanoseconds: timeout))
        if let index = lanes.firstIndex(where: { $0.timeout == timeout }) {
            lanes[index].entries.append(entry)
        } else {
            lanes.append(Lane(timeout: timeout, entries: [entry]))
        }
    }

    /// Removes and returns every entry whose deadline is at or before `now`.
    mutating func popExpired(now: MonotonicInstant) -> [Entry] {
        var expired: [Entry] = []
        for index in lanes.indices {
            while lanes[index].head < lanes[index].entries.count, lanes[index].entries[lanes[index].head].deadline <= now {
                expired.append(lanes[index].entries[lanes[index].head])
                lanes[index].head += 1
            }
            if lanes[index].head > 1024, lanes[index].head * 2 > lanes[index].entries.count {
                lanes[index].entries.removeFirst(lanes[index].head)
                lanes[index].head = 0
            }
        }
        if expired.count > 1 { expired.sort { $0.deadline < $1.deadline } }
        return expired
    }
}
