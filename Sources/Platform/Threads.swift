// Threads of our own (the HTTP event loops, the log writer), started with the name `top -H` and
// /proc/<pid>/task/*/comm show. A new Linux thread inherits its creator's name, so the name is set by the thread
// itself, first thing.
import CLinux
import Foundation
import Glibc

package enum Threads {
    /// Starts `body` on a new thread named `name` (at most 15 bytes are kept, as the kernel does).
    package static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            setCurrentName(name)
            body()
        }
        thread.start()
    }

    /// Names the calling thread.
    package static func setCurrentName(_ name: String) {
        _ = clinux_set_thread_name(String(name.utf8.prefix(15)) ?? "status")
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
