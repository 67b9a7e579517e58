// An owned file descriptor: closed exactly once, by `close()` or when the owner goes away.
import Glibc
import Synchronization

/// Owns one file descriptor. `close()` is idempotent, safe from any thread, and never retried on EINTR (Linux
/// has already released the fd).
package final class FileDescriptor: Sendable {
    private let descriptor: Atomic<Int32>

    package init(_ rawValue: Int32) {
        descriptor = Atomic(rawValue)
    }

    /// The descriptor, or -1 once closed.
    package var rawValue: Int32 { descriptor.load(ordering: .relaxed) }

    package var isOpen: Bool { rawValue >= 0 }

    package func close() {
        let old = descriptor.exchange(-1, ordering: .acquiringAndReleasing)
        guard old >= 0 else { return }
        _ = Glibc.close(old)
    }

    deinit { close() }
}
