// Our threads' scheduling as the kernel reports it (/proc/thread-self/sched, where the kernel has it): a
// thread that asks for short slices gets them, and a thread it starts does not inherit them.
import Foundation
import Glibc
import Platform
import Synchronization
import Testing

@Suite struct ThreadsTests {
    /// The calling thread's slice in nanoseconds (se.slice), nil where the kernel does not show it.
    static func currentSlice() -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/thread-self/sched", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("se.slice ") {
            return line.split(separator: ":").last.flatMap { UInt64(String($0).trimmingCharacters(in: .whitespaces)) }
        }
        return nil
    }

    @Test func aLoopsShortSliceIsItsOwnAndNotItsChildrens() throws {
        let seen = Mutex<(own: UInt64?, child: UInt64?)>((nil, nil))
        let done = DispatchSemaphore(value: 0)
        Threads.start(name: "slice-test") {
            do {
                try Threads.setSchedulerSlice(nanoseconds: 100_000)
            } catch {
                done.signal()
                return
            }
            seen.withLock { $0.own = Self.currentSlice() }
            Threads.start(name: "slice-child") {
                seen.withLock { $0.child = Self.currentSlice() }
                done.signal()
            }
        }
        #expect(done.wait(timeout: .now() + 10) == .success)
        let (own, child) = seen.withLock { $0 }
        // Kernels before 6.12 keep no slice per thread; /proc shows se.slice only with scheduler debugging.
        guard own == 100_000 else { return }
        #expect(child != nil && child != 100_000)
    }
}
