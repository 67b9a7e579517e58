// A WorkThread's blocks: given now, they run in order at once; given for later, not before their time, and
// without holding up the blocks given now.
import Dispatch
import Foundation
import Platform
import Synchronization
import Testing

@Suite struct WorkThreadTests {
    @Test func aBlockForLaterRunsAfterItsDelayWhileBlocksGivenNowRunAtOnceInOrder() {
        let thread = WorkThread(name: "work-test", nice: 0)
        let ran = Mutex<[(String, UInt64)]>([])
        let done = DispatchSemaphore(value: 0)
        let start = MonotonicInstant.now()
        @Sendable func note(_ name: String) { ran.withLock { $0.append((name, MonotonicInstant.now().nanoseconds(since: start))) } }
        thread.after(nanoseconds: 300_000_000) {
            note("later")
            done.signal()
        }
        thread.after(nanoseconds: 100_000_000) { note("sooner") }
        thread.async { note("now 1") }
        thread.async { note("now 2") }
        #expect(done.wait(timeout: .now() + 3) == .success)
        let order = ran.withLock { $0 }
        #expect(order.map(\.0) == ["now 1", "now 2", "sooner", "later"])
        #expect(order.allSatisfy { $0.0.hasPrefix("now") ? $0.1 < 100_000_000 : true }, "\(order)")
        #expect(order.first { $0.0 == "sooner" }.map { $0.1 >= 100_000_000 } == true, "\(order)")
        #expect(order.first { $0.0 == "later" }.map { $0.1 >= 300_000_000 } == true, "\(order)")
    }
}
