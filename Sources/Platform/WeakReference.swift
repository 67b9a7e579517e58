// A weak reference that can be handed to another thread: how a timer made in an initializer reaches the object
// that owns it (set once the object is whole) without keeping it alive.
import Synchronization

package final class WeakReference<Object: AnyObject & Sendable>: Sendable {
    private struct Box: Sendable {
        weak var object: Object?
    }

    private let box = Mutex(Box())

    package init() {}

    package var value: Object? {
        get { box.withLock { $0.object } }
        set { box.withLock { $0.object = newValue } }
    }
}
