// Outstanding pings in deadline order. Every ping has the same timeout, so sending order is deadline order:
// a FIFO replaces a timer per ping, and one timer armed for the head serves them all.
import Platform

struct DeadlineQueue {
    struct Entry {
        var sequence: UInt16
        var sentAt: MonotonicInstant
        var deadline: MonotonicInstant
    }

    private var entries: [Entry] = []
    private var head = 0

    var isEmpty: Bool { head == entries.count }
    var first: Entry? { isEmpty ? nil : entries[head] }

    mutating func append(_ entry: Entry) {
        entries.append(entry)
    }

    /// Removes and returns every entry whose deadline is at or before `now`.
    mutating func popExpired(now: MonotonicInstant) -> [Entry] {
        var expired: [Entry] = []
        while head < entries.count, entries[head].deadline <= now {
            expired.append(entries[head])
            head += 1
        }
        if head > 1024, head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
        return expired
    }
}
