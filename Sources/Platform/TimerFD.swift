// timerfd, wrapped once: a deadline on CLOCK_MONOTONIC that a thread waits for in epoll, and that another thread
// can move without waking it.
import CLinux
import Glibc

package final class TimerFD: Sendable {
    package let fd: FileDescriptor

    package init() throws {
        fd = FileDescriptor(try syscall("timerfd_create") {
            timerfd_create(CLOCK_MONOTONIC, Int32(TFD_NONBLOCK | TFD_CLOEXEC))
        })
    }

    /// Makes the descriptor readable at `deadline` (at once if it has passed); nil disarms it.
    package func set(_ deadline: MonotonicInstant?) throws {
        var value = itimerspec()
        if let deadline {
            // 0 would disarm: a deadline at the clock's origin is long past, so the earliest real instant will do.
            let nanoseconds = max(deadline.nanoseconds, 1)
            value.it_value.tv_sec = Int(nanoseconds / 1_000_000_000)
            value.it_value.tv_nsec = Int(nanoseconds % 1_000_000_000)
        }
        try syscall("timerfd_settime") { timerfd_settime(fd.rawValue, Int32(TFD_TIMER_ABSTIME), &value, nil) }
    }

    /// Clears its readiness (the count of expirations).
    package func drain() {
        var expirations: UInt64 = 0
        _ = Glibc.read(fd.rawValue, &expirations, MemoryLayout<UInt64>.size)
    }
}
