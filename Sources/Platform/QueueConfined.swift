// State that lives on one Dispatch queue: the ping queue's monitor and pinger, the store's connection, the
// journal. The value is not Sendable; this box is, because every access goes through the queue or checks that
// it runs on it (dispatchPrecondition), so the confinement is enforced at run time, not promised in a comment.
import Dispatch

/// Not checked by the compiler (@unchecked): every read of `value` is checked to run on `queue` instead.
package final class QueueConfined<Value>: @unchecked Sendable {
    package let queue: DispatchQueue
    private let stored: Value

    /// `value` is handed over: nothing else may hold on to it.
    package init(_ value: sending Value, queue: DispatchQueue) {
        self.stored = value
        self.queue = queue
    }

    /// The value, from code already running on the queue (a timer, a read source, a block the box queued).
    package var value: Value {
        dispatchPrecondition(condition: .onQueue(queue))
        return stored
    }

    /// Runs `body` with the value on the queue, later.
    package func async(_ body: @escaping @Sendable (Value) -> Void) {
        queue.async { body(self.stored) }
    }

    /// Runs `body` with the value on the queue and waits for it. Never call from the queue itself.
    package func sync<Result: Sendable>(_ body: @Sendable (Value) throws -> Result) rethrows -> Result {
        dispatchPrecondition(condition: .notOnQueue(queue))
        return try queue.sync { try body(stored) }
    }
}
