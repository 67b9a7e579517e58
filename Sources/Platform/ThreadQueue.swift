// A serial queue on a thread of our own that lives as long as the queue, with timers: for the store's, the
// journal's, the history's and the probes' work, which comes a few times a minute. Dispatch ends a worker thread
// after 5 s without work, so on Dispatch's queues each of those moments started a thread and ended it again, and
// every timer woke Dispatch's manager thread first and a worker after it. This thread sleeps in epoll_wait on an
// eventfd (a block was queued while it slept) and a timerfd (its earliest timer is due); a timer set from another
// thread moves the timerfd without waking it, so a timer costs one wake-up, when it fires. Timers with leeway
// that fall due close together run in one wake-up, and a timer allowed to run early runs in a wake-up the thread
// has for other work shortly before its deadline, instead of waking it on its own. The blocks and timers the
// thread holds are in ThreadQueue+Core.swift.
import Dispatch
import Glibc
import Synchronization

package final class ThreadQueue: Sendable {
    package typealias Block = @Sendable () -> Void

    /// A timer of the queue's: its handler runs on the queue's thread, once per `schedule` or every period.
    package final class Timer: Sendable {
        private let core: Core
        private let id: UInt64
        private let handler: Block

        fileprivate init(core: Core, id: UInt64, handler: @escaping Block) {
            self.core = core
            self.id = id
            self.handler = handler
        }

        /// Fires `seconds` from now (replacing any earlier schedule), then every `repeating` seconds if given.
        /// `leeway`: how late it may fire, so that it shares a wake-up with other work. `early`: how much sooner
        /// it may fire when the thread is awake anyway (a repeating timer that did is next due a period after it
        /// fired); it never wakes the thread before its deadline.
        package func schedule(after seconds: Double, repeating: Double? = nil, leeway: Double = 0, early: Double = 0) {
            core.set(id, Core.Entry(after: seconds, leeway: leeway, early: early, period: repeating, handler: handler))
        }

        /// Fires once, `seconds` from now, unless it is already set to fire sooner than that.
        package func scheduleUnlessSooner(after seconds: Double, leeway: Double = 0) {
            core.set(id, Core.Entry(after: seconds, leeway: leeway, handler: handler), unlessSooner: true)
        }

        /// It does not fire again (a firing already under way finishes).
        package func cancel() {
            core.set(id, nil)
        }
    }

    private let core: Core
    private static let wakeToken: UInt64 = 0
    private static let alarmToken: UInt64 = 1

    /// Starts the thread, named `name` (at most 15 bytes are kept). Throws if its descriptors cannot be made.
    package init(name: String) throws {
        let core = Core(wake: try EventFD(), alarm: try TimerFD())
        let epoll = try Epoll(maxEvents: 2)
        try epoll.add(core.wake.fd, events: Epoll.input, token: Self.wakeToken)
        try epoll.add(core.alarm.fd, events: Epoll.input, token: Self.alarmToken)
        let handoff = Handoff(epoll)
        self.core = core
        Threads.start(name: name) {
            guard let epoll = handoff.take() else { return }
            Self.run(core, epoll)
        }
    }

    deinit { core.stop() }

    /// Runs `block` on the thread, after the blocks queued before it.
    package func async(_ block: @escaping Block) { core.enqueue(block) }

    /// Runs `block` on the thread once, `seconds` from now.
    package func asyncAfter(seconds: Double, leeway: Double = 0, _ block: @escaping Block) {
        core.set(core.newTimerID(), Core.Entry(after: seconds, leeway: leeway, handler: block))
    }

    /// A timer whose `handler` runs on the thread; it fires once `schedule`d.
    package func makeTimer(_ handler: @escaping Block) -> Timer {
        Timer(core: core, id: core.newTimerID(), handler: handler)
    }

    /// True when called on the queue's thread.
    package var isCurrent: Bool {
        let thread = core.thread.load(ordering: .acquiring)
        return thread != 0 && pthread_equal(pthread_self(), thread) != 0
    }

    private static func run(_ core: Core, _ epoll: Epoll) {
        core.thread.store(pthread_self(), ordering: .releasing)
        while true {
            if runPending(core) { return }
            guard core.maySleep() else { continue }
            do {
                try epoll.wait(timeoutMilliseconds: -1) { token, _ in
                    if token == Self.wakeToken { core.wake.drain() } else { core.alarm.drain() }
                }
            } catch {
                usleep(10_000)  // epoll_wait fails only for a bug (a bad descriptor): do not spin
            }
            core.state.withLock { $0.sleeping = false }
        }
    }
}

extension ThreadQueue {
    /// Runs what is queued and due; true once the queue is stopping and nothing was left. A function of its own
    /// so that the blocks, and what they hold (a journal's open file), are let go before the thread sleeps.
    private static func runPending(_ core: Core) -> Bool {
        let (blocks, due, stopping) = core.takeWork()
        for block in blocks { block() }
        for handler in due { handler() }
        return stopping && blocks.isEmpty
    }
}
