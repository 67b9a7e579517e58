// Waiting in tests for something another thread does, on the monotonic clock.
import Dispatch
import Foundation
import Platform
import Synchronization

/// Polls `condition` every 10 ms for up to `timeout` seconds; returns whether it came true.
@discardableResult
package func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
    MonotonicInstant.after(seconds: timeout).wait(until: condition)
}

/// A value another thread hands over once (a response, a query's result), and the wait for it.
package final class Delivery<Value: Sendable>: Sendable {
    private let box = Mutex<Value?>(nil)
    private let arrived = DispatchSemaphore(value: 0)

    package init() {}

    package func deliver(_ value: Value) {
        box.withLock { $0 = value }
        arrived.signal()
    }

    /// The value, once delivered within `timeout` seconds; nil otherwise.
    package func wait(timeout: Double = 2) -> Value? {
        _ = arrived.wait(timeout: .now() + timeout)
        return box.withLock { $0 }
    }
}
