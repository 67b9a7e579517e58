// Moves a value that is not Sendable to the one thread that will own it (an event loop to its thread), checked by
// the compiler: the value goes in as `sending` and comes out once.
import Synchronization

package final class Handoff<Value>: Sendable {
    private let box: Mutex<Value?>

    package init(_ value: sending Value) {
        box = Mutex(value)
    }

    /// The value, the first time; nil after that.
    package func take() -> sending Value? {
        box.withLock { $0.take() }
    }
}
