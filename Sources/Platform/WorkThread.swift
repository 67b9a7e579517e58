// A thread of our own that runs the blocks it is given, one at a time in order, at a lower CPU priority than the
// rest of the process (for work that must not take the CPU from the event loops, such as building /status bodies).
// It starts with the first block and ends when the WorkThread is released.
import Dispatch
import Synchronization

package final class WorkThread: Sendable {
    private struct Work {
        var blocks: [@Sendable () -> Void] = []
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
        let start = queue.work.withLock { work -> Bool in
            work.blocks.append(block)
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
            let (blocks, stopping) = queue.work.withLock { work in
                defer { work.blocks.removeAll(keepingCapacity: true) }
                return (work.blocks, work.stopping)
            }
            for block in blocks { block() }
            if stopping { return }
            if blocks.isEmpty { queue.wake.wait() }
        }
    }
}
