// ThreadQueue's core, what its thread holds: the queued blocks and the timers (each a deadline, a leeway to fire
// late in a shared wake-up, an allowance to fire early in one, a period), the timerfd they set, and what the thread
// takes at each wake-up. The queue's API and the thread's loop are in ThreadQueue.swift.
import Synchronization

extension ThreadQueue {
    /// What the thread holds: its work and its descriptors, not the ThreadQueue, so that releasing that ends it.
    final class Core: Sendable {
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
}
