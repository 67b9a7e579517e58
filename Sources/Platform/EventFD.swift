// eventfd, wrapped once: how another thread wakes an event loop.
import Glibc
import CLinux

/// An eventfd used to wake an event loop from another thread.
package final class EventFD: Sendable {
    package let fd: FileDescriptor

    package init() throws {
        fd = FileDescriptor(try syscall("eventfd") { eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC)) })
    }

    /// Wakes the loop; never blocks (a full counter already means "awake").
    package func signal() {
        var one: UInt64 = 1
        _ = Glibc.write(fd.rawValue, &one, MemoryLayout<UInt64>.size)
    }

    /// Clears pending wake-ups.
    package func drain() {
        var value: UInt64 = 0
        _ = Glibc.read(fd.rawValue, &value, MemoryLayout<UInt64>.size)
    }
}
