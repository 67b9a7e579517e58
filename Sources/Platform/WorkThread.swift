// A thread of our own that runs the blocks it is given, one at a time in order, at a lower CPU priority than the
// rest of the process (for work that must not take the CPU from the event loops, such as building /status bodies).
// A block may also be given for later (`after`): the thread sleeps until then itself, so a delayed block wakes this
// thread only, not Dispatch's timer thread and a worker as `asyncAfter` would. It starts with the first block and
// ends when the WorkThread is released.
import Dispatch
import Synchronization

package final class WorkThread: Sendable {
    private struct Work {
        var blocks: [@Sendable () -> Void] = []
        /// Blocks for later, in the order given (a few at most).
        var later: [(due: DispatchTime, block: @Sendable () -> Void)] = []
        var started = false
        var stopping = false
    }

    /// What the thread holds: the blocks and its wake-up, not the WorkThread, so that releasing that ends it.
    private final class Queue: Sendable {
        let work = Mutex(Work())
        let wake = DispatchSemaphore(value: 0)
    }

    private let name: String
    private let nice: Int32
    private let queue = Queue()

    /// `nice`: the thread's nice value (0 for the process's own priority).
    package init(name: String, nice: Int32) {
        self.name = name
        self.nice = nice
    }

    /// Runs `block` on the thread, after the blocks given before it.
    package func async(_ block: @escaping @Sendable () -> Void) {
        enqueue { $0.blocks.append(block) }
    }

    /// Runs `block` on the thread once `nanoseconds` have passed (or soon after: the blocks due then run in order).
    package func after(nanoseconds: UInt64, _ block: @escaping @Sendable () -> Void) {
        let due = DispatchTime.now() + .nanoseconds(Int(clamping: nanoseconds))
        enqueue { $0.later.append((due, block)) }
    }

    private func enqueue(_ add: (inout Work) -> Void) {
        let start = queue.work.withLock { work -> Bool in
            add(&work)
            defer { work.started = true }
            return !work.started
        }
        if start {
            let (queue, nice) = (self.queue, self.nice)
            Threads.start(name: name) { Self.run(queue, nice: nice) }
        } else {
            queue.wake.signal()
        }
    }

    deinit {
        queue.work.withLock { $0.stopping = true }
        queue.wake.signal()
    }

    private static func run(_ queue: Queue, nice: Int32) {
        if nice != 0 { try? Threads.lowerCurrentPriority(nice: nice) }  // refused: it runs at the usual priority
        while true {
            let (blocks, nextDue, stopping) = queue.work.withLock { work in
                var blocks = work.blocks
                work.blocks.removeAll(keepingCapacity: true)
                var nextDue: DispatchTime?
                if !work.later.isEmpty {
                    let now = DispatchTime.now()
                    blocks += work.later.lazy.filter { $0.due <= now }.map(\.block)
                    work.later.removeAll { $0.due <= now }
                    nextDue = work.later.lazy.map(\.due).min()
                }
                return (blocks, nextDue, work.stopping)
            }
            for block in blocks { block() }
            if stopping { return }
            guard blocks.isEmpty else { continue }
            if let nextDue { _ = queue.wake.wait(timeout: nextDue) } else { queue.wake.wait() }
        }
    }
}
