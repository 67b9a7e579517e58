// Threads of our own (the HTTP event loops, the log writer), started with the name `top -H` and
// /proc/<pid>/task/*/comm show. A new Linux thread inherits its creator's name, so the name is set by the thread
// itself, first thing.
import CLinux
import Foundation

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
}
