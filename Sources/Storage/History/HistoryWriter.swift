// The history writer, on two threads (ThreadQueues; the daemon's spool queue is the journal's too). The spool
// queue, a tick (a quarter of a second) after the first ping the recorder buffered, takes the pings and appends
// them to their steps' .pings files (HistorySpool), and closes a step once it has ended and its last pings have
// had their timeout (`grace`), in the first such tick after that (`closeLeeway` later at most, then waking for
// exactly that): the step's rows go to the database queue in memory. The database queue, with its own
// connection, writes each closed step's rows in one transaction of batched statements (+Writing), then removes the
// step's .pings file. The spool queue never waits for the database, so a slow or hanging database costs no ping.
// While the database is away, closed steps wait on disk (.rows files, at most `spoolLimit` bytes; beyond, the
// oldest are dropped and counted) and are written in order when it is back. Coarser rows are merged from finer
// ones and rows past their retention deleted, in small batches (+Downsampling), in the wake-up of a step's write
// when one falls due soon after it; reads for the API run here too (+Reading). At shutdown every open step is
// closed as it is and written if the database lets it; the next start writes what is left.
import Foundation
import History
import Logging
import Platform
import Synchronization

package struct HistorySettings: Equatable, Sendable {
    package var ladder: HistoryLadder
    /// STATE_DIR/history.
    package var directory: String
    /// Most bytes of closed steps kept on disk while the database is away.
    package var spoolLimit: Int
    /// Seconds after a step's end before it closes: the ping timeout and a margin.
    package var grace: Double
    /// How much longer a step due to close may wait for the spool's next wake-up for pings (the daemon's
    /// interval: the next round's), so that closing it costs no wake-up of its own (seconds).
    package var closeLeeway: Double = 0
    /// How long after a ping it is written to the spool (seconds): a daemon killed with SIGKILL loses the pings
    /// of its last tick.
    package var tick: Double = 0.25
    /// How often coarser rows are merged and old rows deleted (seconds).
    package var maintenanceInterval: Double = 60

    package init(ladder: HistoryLadder, directory: String, spoolLimit: Int, grace: Double) {
        self.ladder = ladder
        self.directory = directory
        self.spoolLimit = spoolLimit
        self.grace = grace
    }
}

/// What the writer has done since start, for /metrics and /healthz.
package struct HistoryFigures: Sendable, Equatable {
    package var rowsWritten: UInt64 = 0
    package var statements: UInt64 = 0
    /// Closed steps dropped because the spool was full.
    package var droppedSteps: UInt64 = 0
    /// Pings that completed after their step had closed (not counted).
    package var latePings: UInt64 = 0
    /// Closed steps waiting for the database.
    package var spooledSteps = 0
    package var spooledBytes = 0
}

package final class HistoryWriter: Sendable {
    struct State {
        var figures = HistoryFigures()
        /// Since when the database refuses history writes; nil while it answers.
        var unavailableSince: Date?
        /// The oldest step the spool queue still has open (its rows are not yet even closed).
        var oldestOpenStep: Int64?
    }

    /// The spool queue's side.
    final class Spooling {
        let spool: HistorySpool
        /// Steps before this (Unix seconds) are closed: their late pings are not counted.
        var closedBefore: Int64 = .min
        var stopped = false
        init(_ spool: sending HistorySpool) { self.spool = spool }
    }

    /// The database queue's side.
    final class Session {
        let store: any HistoryStore
        var ids: [String: Int64] = [:]
        /// Closed steps waiting for the database, oldest first.
        var pending: [SpooledStep] = []
        var migrated = false
        var failures = 0
        var retryAt: MonotonicInstant?
        var nextMaintenance = MonotonicInstant.after(seconds: 5)
        /// The last pass merged all that was due: the next one may run early, or a whole interval late, in a
        /// step's write (the database timer's early and leeway) instead of waking the thread on its own.
        var caughtUp = false
        var nextExpiry = MonotonicInstant.after(seconds: 30)
        /// `history_progress` as of the last pass, or nil to read it: while it says no window can be due yet,
        /// a pass reads nothing (other probes only move it forward, which leaves even less to do).
        var progress: [Int64: Int64]?
        init(store: sending any HistoryStore) { self.store = store }
    }

    package let recorder: HistoryRecorder
    package let settings: HistorySettings
    let spooling: ThreadConfined<Spooling>
    let session: ThreadConfined<Session>
    /// The spool's one-shot timer (a tick after a ping arrives, the end of the oldest open step) and the
    /// database's (a retry, the next maintenance pass), each set again for its next deadline.
    let spoolTimer: ThreadQueue.Timer
    let databaseTimer: ThreadQueue.Timer
    let state = Mutex(State())
    let logger: Logger
    let backoff = Backoff(first: 0.5, maximum: 30)

    /// Opens the spool (this run's files) and reads what earlier runs left in it.
    /// The spool runs on `spoolQueue`, or a thread of its own (`status-spool`).
    package init(store: sending any HistoryStore, settings: HistorySettings, run: Int64, logger: Logger,
                 spoolQueue: ThreadQueue? = nil) throws {
        let spool = try HistorySpool(directory: settings.directory, run: run, resolution: settings.ladder.step)
        var problems: [String] = []
        let left = try spool.recover(problems: &problems)
        for problem in problems { logger.warning("history_spool_damaged", ["detail": problem]) }
        if !left.isEmpty { logger.info("history_spool_replay", ["steps": left.count]) }
        let spoolQueue = try spoolQueue ?? ThreadQueue(name: "status-spool")
        spooling = ThreadConfined(Spooling(spool), queue: spoolQueue)
        let session = Session(store: store)
        session.pending = left
        let databaseQueue = try ThreadQueue(name: "status-history")
        self.session = ThreadConfined(session, queue: databaseQueue)
        let owner = WeakReference<HistoryWriter>()
        spoolTimer = spoolQueue.makeTimer {
            guard let self = owner.value else { return }
            self.tick(self.spooling.value)
        }
        databaseTimer = databaseQueue.makeTimer {
            guard let self = owner.value else { return }
            self.databaseTick(self.session.value)
        }
        self.settings = settings
        self.logger = logger
        recorder = HistoryRecorder(resolution: settings.ladder.step)
        state.withLock { $0.figures.spooledSteps = left.count; $0.figures.spooledBytes = left.reduce(0) { $0 + $1.bytes } }
        owner.value = self
    }

    /// A run's id: its start in Unix milliseconds, times 1,000, plus a random 0…999 (two probes starting in the
    /// same millisecond still differ).
    package static func newRun(at date: Date = Date()) -> Int64 {
        Int64(date.timeIntervalSince1970 * 1000) * 1000 + Int64.random(in: 0..<1000)
    }

    /// Starts both queues' timers, each one-shot and set again for its next deadline: the spool's (a tick after
    /// a ping arrives, the end of the oldest open step) and the database's (a retry, the next maintenance pass).
    package func start() {
        // Set before the spool's queue runs: a ping recorded meanwhile then still wakes it (the first tick below
        // takes it too), instead of waiting in the buffer with nothing to wake for it. The timer is armed from the
        // thread that recorded the ping: the spool's thread wakes once, for the tick.
        recorder.whenFirstRecorded { [spoolTimer, tick = settings.tick] in
            spoolTimer.scheduleUnlessSooner(after: tick, leeway: Self.leeway)
        }
        spooling.async { [self] spooling in wakeSpool(spooling, in: settings.tick) }
        session.async { [self] session in scheduleDatabaseTick(session) }
    }

    /// How late the timers may fire, to share a wake-up.
    static let leeway = 0.05

    deinit {
        spoolTimer.cancel()
        databaseTimer.cancel()
    }

    /// The hosts now watched, by place (at start and after a reload).
    /// Check ids the store registered (at start and for a reload's new hosts): a step's write then looks up only
    /// domains it does not know, so the first step of 10,000 hosts does not ask for 10,000 ids.
    package func learn(ids: [String: Int64]) {
        session.async { session in
            if session.ids.isEmpty { session.ids = ids } else { session.ids.merge(ids) { _, new in new } }
        }
    }

    package func watch(_ hosts: [(position: Int, domain: String)]) {
        spooling.async { [self] spooling in
            do {
                try spooling.spool.watch(hosts)
            } catch {
                logger.error("history_spool_failed", ["reason": "\(error)"])
            }
        }
    }

    package var figures: HistoryFigures { state.withLock { $0.figures } }

    /// True while the database takes history writes (false from a failed attempt until the next success).
    package var databaseReachable: Bool { state.withLock { $0.unavailableSince == nil } }

    /// Closes every open step as it is and writes what waits, for at most `timeout` seconds; true if all was
    /// written. What is not stays in the spool for the next start.
    package func flush(timeout: Double) -> Bool {
        let done = DispatchSemaphore(value: 0)
        let written = Atomic<Bool>(false)
        spooling.async { [self] spooling in
            spooling.stopped = true
            spoolTimer.cancel()
            spoolBuffered(spooling)
            for step in spooling.spool.openSteps { close(step, spooling) }
            session.async { [self] session in
                session.retryAt = nil
                drain(session)
                written.store(session.pending.isEmpty, ordering: .relaxed)
                done.signal()
            }
        }
        return done.wait(timeout: .now() + timeout) == .success && written.load(ordering: .relaxed)
    }

    // MARK: The database queue

    func databaseTick(_ session: Session) {
        if let retryAt = session.retryAt, MonotonicInstant.now() >= retryAt { drain(session) }
        if session.pending.isEmpty, state.withLock({ $0.unavailableSince == nil }) {
            maintainIfDue(session, early: maintenanceEarly(session))
        }
        scheduleDatabaseTick(session)
    }

    /// The database queue wakes for its next retry or maintenance pass (at most once a second), not every second.
    /// Once the passes are caught up, the next one rides the wake-up for a step's write (blocks run before timers):
    /// at the default 1-minute step the timer never wakes the thread on its own.
    func scheduleDatabaseTick(_ session: Session) {
        let now = MonotonicInstant.now()
        if let retryAt = session.retryAt, retryAt < session.nextMaintenance {
            databaseTimer.schedule(after: max(retryAt.seconds(since: now), 1), leeway: Self.leeway)
            return
        }
        databaseTimer.schedule(after: max(session.nextMaintenance.seconds(since: now), 1),
                               leeway: session.caughtUp ? settings.maintenanceInterval : Self.leeway,
                               early: maintenanceEarly(session))
    }

    /// Drops the oldest closed steps while the spool holds more than its limit.
    func enforceLimit(_ session: Session) {
        var total = session.pending.reduce(0) { $0 + $1.bytes }
        while total > settings.spoolLimit, session.pending.count > 1 {
            let oldest = session.pending.removeFirst()
            total -= oldest.bytes
            try? HistorySpool.remove(oldest, in: settings.directory)
            state.withLock {
                $0.figures.droppedSteps += 1
                $0.figures.spooledSteps -= 1
                $0.figures.spooledBytes -= oldest.bytes
            }
            logger.warning("history_spool_full", ["dropped_step": oldest.stepStart, "limit_bytes": settings.spoolLimit])
        }
    }
}
