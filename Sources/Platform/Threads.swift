// Threads of our own (the HTTP event loops, the log writer), started with the name `top -H` and
// /proc/<pid>/task/*/comm show, and their scheduling (nice value, slice). A new Linux thread inherits its
// creator's name and slice, so the thread sets both itself, first thing.
import CLinux
import Foundation
import Glibc

package enum Threads {
    /// Starts `body` on a new thread named `name` (at most 15 bytes are kept, as the kernel does).
    package static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            setCurrentName(name)
            // A new thread inherits its creator's slice too: one started from an event loop would keep the loop's.
            try? setSchedulerSlice(nanoseconds: 0)
            body()
        }
        thread.start()
    }

    /// Names the calling thread.
    package static func setCurrentName(_ name: String) {
        _ = clinux_set_thread_name(String(name.utf8.prefix(15)) ?? "status")
    }

    /// Sets the calling thread's scheduler slice (Linux 6.12's EEVDF custom slice; 0 for the kernel's default). A
    /// thread with short slices that wakes for a little work preempts a CPU-bound one sooner, instead of waiting
    /// out that one's slice; its share of the CPU stays what its nice value gives. Older kernels ignore it; throws
    /// if the kernel refused.
    package static func setSchedulerSlice(nanoseconds: UInt64) throws {
        guard clinux_request_slice(nanoseconds) == 0 else { throw SystemError("sched_setattr(slice \(nanoseconds) ns)") }
    }

    /// Gives the CPU to a thread waiting for it, if any (sched_yield): for long work at a low priority, which the
    /// kernel does not always preempt when a short-slice thread wakes on the same CPU. Cheap when nothing waits.
    package static func yieldIfOthersWait() {
        _ = sched_yield()
    }

    /// Makes the calling thread yield the CPU to the process's other threads when it is short: a nice value of its
    /// own (Linux keeps one per thread), e.g. 10 for about a tenth of a busy core's share. Throws if refused.
    package static func lowerCurrentPriority(nice: Int32) throws {
        let thread = id_t(truncatingIfNeeded: clinux_thread_id())
        guard setpriority(__priority_which_t(PRIO_PROCESS.rawValue), thread, nice) == 0 else {
            throw SystemError("setpriority(thread \(thread), \(nice))")
        }
    }
}
