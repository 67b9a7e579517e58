// State that lives on one serial queue: the ping queue's monitor and pinger (a Dispatch queue), the store's
// connection and the journal (a ThreadQueue each). The value is not Sendable; this box is, because every access
// goes through the queue or checks that it runs on it, so the confinement is enforced at run time, not promised
// in a comment.
import Dispatch

/// What a box needs of the queue that owns its value.
package protocol SerialQueue: Sendable {
    /// Runs `block` on the queue, later, after the blocks queued before it.
    func enqueue(_ block: @escaping @Sendable () -> Void)
    /// Runs `body` on the queue and waits for it. Never called from the queue itself.
    func runAndWait<Result: Sendable>(_ body: @Sendable () -> Result) -> Result
    /// Stops the program unless the caller runs on the queue (`expected` true) or does not (false).
    func checkCurrent(_ expected: Bool)
}

extension DispatchQueue: SerialQueue {
    package func enqueue(_ block: @escaping @Sendable () -> Void) { async(execute: block) }

    package func runAndWait<Result: Sendable>(_ body: @Sendable () -> Result) -> Result { sync(execute: body) }

    package func checkCurrent(_ expected: Bool) {
        dispatchPrecondition(condition: expected ? .onQueue(self) : .notOnQueue(self))
    }
}

/// Not checked by the compiler (@unchecked): every read of `value` is checked to run on `queue` instead.
package final class Confined<Value, Queue: SerialQueue>: @unchecked Sendable {
    package let queue: Queue
    private let stored: Value

    /// `value` is handed over: nothing else may hold on to it.
    package init(_ value: sending Value, queue: Queue) {
        self.stored = value
        self.queue = queue
    }

    /// The value, from code already running on the queue (a timer, a read source, a block the box queued).
    package var value: Value {
        queue.checkCurrent(true)
        return stored
    }

    /// Runs `body` with the value on the queue, later.
    package func async(_ body: @escaping @Sendable (Value) -> Void) {
        queue.enqueue { body(self.stored) }
    }

    /// Runs `body` with the value on the queue and waits for it. Never call from the queue itself.
    package func sync<Result: Sendable>(_ body: @Sendable (Value) -> Result) -> Result {
        queue.checkCurrent(false)
        return queue.runAndWait { body(self.stored) }
    }
}

/// A value confined to a Dispatch queue (the ping queue's).
package typealias QueueConfined<Value> = Confined<Value, DispatchQueue>

/// A value confined to a thread of our own.
package typealias ThreadConfined<Value> = Confined<Value, ThreadQueue>
