// One event loop's connections, by token: token = generation << 32 | slot index, so an event or a response for a
// connection that was closed (its slot reused since) is recognised as stale and dropped.

struct ConnectionTable {
    private var slots: [HTTPConnection?] = []
    private var generations: [UInt32] = []
    private var freeSlots: [Int] = []
    private(set) var count = 0

    /// A fresh token for a new connection, and the slot it will sit in.
    mutating func reserve() -> (token: UInt64, index: Int) {
        let index: Int
        if let free = freeSlots.popLast() {
            index = free
        } else {
            index = slots.count
            slots.append(nil)
            generations.append(0)
        }
        generations[index] &+= 1
        return (UInt64(generations[index]) << 32 | UInt64(index), index)
    }

    /// Gives back a slot `reserve` handed out that was not used.
    mutating func release(_ index: Int) {
        freeSlots.append(index)
    }

    mutating func insert(_ connection: HTTPConnection, at index: Int) {
        slots[index] = connection
        count += 1
    }

    /// The open connection with this token, if it is still the one the token named.
    func connection(for token: UInt64) -> HTTPConnection? {
        let index = Int(token & 0xFFFF_FFFF)
        guard index < slots.count, let connection = slots[index], connection.token == token else { return nil }
        return connection
    }

    /// Forgets `connection`; false if it was not in the table.
    mutating func remove(_ connection: HTTPConnection) -> Bool {
        let index = Int(connection.token & 0xFFFF_FFFF)
        guard index < slots.count, slots[index] === connection else { return false }
        slots[index] = nil
        freeSlots.append(index)
        count -= 1
        return true
    }

    /// Every open connection (a copy: the caller may close them while it goes through).
    var all: [HTTPConnection] { slots.compactMap { $0 } }
}
