// setns(2) into a network namespace, wrapped once. The tests use it to open sockets inside a namespace they
// created (a socket stays in the namespace it was opened in, whichever thread uses it later).
import CLinux
import Glibc

package enum NetworkNamespace {
    /// Runs `body` on this thread inside the namespace `/var/run/netns/<name>`, then returns the thread to the
    /// namespace it was in.
    package static func inside<T>(_ name: String, _ body: () throws -> T) throws -> T {
        let home = try Files.open("/proc/thread-self/ns/net", O_RDONLY)
        let target = try Files.open("/var/run/netns/\(name)", O_RDONLY)
        try syscall("setns(\(name))") { clinux_setns_net(target.rawValue) }
        defer {
            if clinux_setns_net(home.rawValue) != 0 { fatalError("cannot return to the original network namespace") }
        }
        return try body()
    }
}
