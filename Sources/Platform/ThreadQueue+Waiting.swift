// ThreadQueue as a SerialQueue (what Confined needs): queueing, the on-thread check, and running a block on the
// thread while the caller waits for its result (the journal's `sync`).
import Dispatch
import Synchronization

extension ThreadQueue: SerialQueue {
    package func enqueue(_ block: @escaping @Sendable () -> Void) { async(block) }

    package func runAndWait<Result: Sendable>(_ body: @Sendable () -> Result) -> Result {
        let slot = WaitSlot<Result>()
        withoutActuallyEscaping(body) { body in
            // The block lets go of `body` before it signals: nothing holds it once this returns.
            slot.body.withLock { $0 = body }
            async {
                do {
                    if let body = slot.body.withLock({ $0.take() }) {
                        let value = body()
                        slot.result.withLock { $0 = value }
                    }
                }
                slot.done.signal()
            }
            slot.done.wait()
        }
        guard let result = slot.result.withLock({ $0.take() }) else {
            preconditionFailure("the queue's block did not run")
        }
        return result
    }

    package func checkCurrent(_ expected: Bool) {
        precondition(isCurrent == expected,
                     expected ? "not on the queue's thread" : "on the queue's thread: it would wait for itself")
    }
}

/// A block handed to the queue's thread by `runAndWait`, its result, and the signal that it ran.
private final class WaitSlot<Result: Sendable>: Sendable {
    let body = Mutex<(@Sendable () -> Result)?>(nil)
    let result = Mutex<Result?>(nil)
    let done = DispatchSemaphore(value: 0)
}
