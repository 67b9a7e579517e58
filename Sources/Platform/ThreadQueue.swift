// A serial queue on a thread of our own that lives as long as the queue, with timers: for the store's, the
// journal's, the history's and the probes' work, which comes a few times a minute. Dispatch ends a worker thread
// after 5 s without work, so on Dispatch's queues each of those moments started a thread and ended it again, and
// every timer woke Dispatch's manager thread first and a worker after it. This thread sleeps in epoll_wait on an
// eventfd (a block was queued while it slept) and a timerfd (its earliest timer is due); a timer set from another
// thread moves the timerfd without waking it, so a timer costs one wake-up, when it fires. Timers with leeway
// that fall due close together run in one wake-up, and a timer allowed to run early runs in a wake-up the thread
// has for other work shortly before its deadline, instead of waking it on its own.
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

    /// What the thread holds: its work and its descriptors, not the ThreadQueue, so that releasing that ends it.
    fileprivate final class Core: Sendable {
        struct Entry {
            /// The timer's id (set when it is set).
            var id: UInt64 = 0
            var deadline: MonotonicInstant
            var leeway: UInt64
            var early: UInt64
            var period: UInt64?
            let handler: Block

            /// Due `seconds` from now, then every `period` seconds if given.
            init(after seconds: Double, leeway: Double, early: Double = 0, period: Double? = nil,
                 handler: @escaping Block) {
                deadline = .after(seconds: seconds)
                self.leeway = Core.nanoseconds(leeway)
                self.early = Core.nanoseconds(early)
                self.period = period.map { max(Core.nanoseconds($0), 1) }
                self.handler = handler
            }
        }

        struct State {
            var blocks: [Block] = []
            /// A queue has a few timers: an array, scanned, costs a waking thread less than a dictionary.
            var timers: [Entry] = []
            var nextTimerID: UInt64 = 0
            /// What the timerfd is set to.
            var armed: MonotonicInstant?
            /// The thread is in (or about to enter) epoll_wait with nothing to do.
            var sleeping = false
            var stopping = false
        }

        let state = Mutex(State())
        let wake: EventFD
        let alarm: TimerFD
        /// The thread's pthread_t, once it runs.
        let thread = Atomic<UInt>(0)

        init(wake: EventFD, alarm: TimerFD) {
            self.wake = wake
            self.alarm = alarm
        }

        static func nanoseconds(_ seconds: Double) -> UInt64 { UInt64(max(seconds, 0) * 1e9) }

        /// A timer id not used before on this queue.
        func newTimerID() -> UInt64 {
            state.withLock { state in
                defer { state.nextTimerID += 1 }
                return state.nextTimerID
            }
        }

        func enqueue(_ block: @escaping Block) {
            let sleeping = state.withLock { state -> Bool in
                state.blocks.append(block)
                defer { state.sleeping = false }
                return state.sleeping
            }
            if sleeping { wake.signal() }
        }

        func set(_ id: UInt64, _ entry: Entry?, unlessSooner: Bool = false) {
            state.withLock { state in
                let index = state.timers.firstIndex { $0.id == id }
                if unlessSooner, let entry, let index {
                    let set = state.timers[index]
                    if set.deadline.adding(nanoseconds: set.leeway) <= entry.deadline.adding(nanoseconds: entry.leeway) {
                        return
                    }
                }
                switch (entry, index) {
                case (var entry?, let index?):
                    entry.id = id
                    state.timers[index] = entry
                case (var entry?, nil):
                    entry.id = id
                    state.timers.append(entry)
                case (nil, let index?):
                    state.timers.remove(at: index)
                case (nil, nil):
                    return
                }
                rearm(&state)
            }
        }

        func stop() {
            state.withLock { $0.stopping = true }
            wake.signal()
        }

        /// Sets the timerfd for the timer that must run first (its deadline plus its leeway), if that changed.
        func rearm(_ state: inout State) {
            let next = state.timers.lazy.map { $0.deadline.adding(nanoseconds: $0.leeway) }.min()
            guard next != state.armed else { return }
            // A timerfd that has fired is disarmed already: no call to say so again.
            if next == nil, let armed = state.armed, armed <= MonotonicInstant.now() {
                state.armed = nil
                return
            }
            // Fails only for a bad descriptor or value (a bug): the timers would then wait for the next block.
            try? alarm.set(next)
            state.armed = next
        }

        /// The queued blocks and the handlers of the timers due now (or allowed to run early now), in deadline order
        /// (repeating ones are set for their next period, others removed), and whether the queue is stopping.
        func takeWork() -> (blocks: [Block], due: [Block], stopping: Bool) {
            let now = MonotonicInstant.now()
            return state.withLock { state in
                var blocks: [Block] = []
                if !state.blocks.isEmpty { swap(&blocks, &state.blocks) }
                var due: [(deadline: MonotonicInstant, handler: Block)] = []
                var index = 0
                while index < state.timers.count {
                    let entry = state.timers[index]
                    guard entry.deadline <= now.adding(nanoseconds: entry.early) else {
                        index += 1
                        continue
                    }
                    due.append((entry.deadline, entry.handler))
                    if let period = entry.period {
                        var next = entry.deadline.adding(nanoseconds: period)
                        // Late by a period or more: no burst. Early: a period from now, so it keeps riding along.
                        if next <= now || entry.deadline > now { next = now.adding(nanoseconds: period) }
                        state.timers[index].deadline = next
                        index += 1
                    } else {
                        state.timers.remove(at: index)
                    }
                }
                guard !due.isEmpty else { return (blocks, [], state.stopping) }
                rearm(&state)
                if due.count > 1 { due.sort { $0.deadline < $1.deadline } }
                return (blocks, due.map(\.handler), state.stopping)
            }
        }

        /// True if the thread may sleep: nothing is queued (it then counts as sleeping until woken).
        func maySleep() -> Bool {
            state.withLock { state in
                guard state.blocks.isEmpty, !state.stopping else { return false }
                state.sleeping = true
                return true
            }
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
