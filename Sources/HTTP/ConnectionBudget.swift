// The server-wide connection limit, shared by every event loop: taken on accept, given back on close.
import Synchronization

final class ConnectionBudget: Sendable {
    private let open = Atomic<Int>(0)
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Takes one connection slot; false when the server is at its limit.
    func take() -> Bool {
        var current = open.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = open.compareExchange(expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }

    func giveBack() {
        open.subtract(1, ordering: .acquiringAndReleasing)
    }
}
