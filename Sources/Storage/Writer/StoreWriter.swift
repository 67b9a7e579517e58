// The store's thread (a ThreadQueue, which the daemon shares with the probes' coordinator): every database call
// runs here, never on a timer queue or an event loop. Changes are applied in the order they were submitted; while
// the database is unavailable the head change is retried with capped, jittered exponential back-off and the rest
// wait behind it, so nothing is reordered or dropped.
//
// Nothing lost: every change but a plain ping is appended to the journal (fsynced, on the journal's queue)
// before it is written to the database — the writer waits for the append — and marked done after; changes an
// earlier run left in the journal are written first. The first thing the writer does is register the checks
// (+Registration); with the database down at start it keeps retrying that, and the daemon runs on meanwhile.
//
// Database load grows with state changes, not with pings: incidents and up/down flips are queued at once, while
// each check's latest ping is only remembered and written for all checks together a few seconds after the first
// of them (one batched statement per 2,000 checks, in one transaction) and at shutdown: the batch timer is armed
// by that first ping, so a writer with nothing to write does not wake. The drain itself is in +Draining.
import Encoding
import Foundation
import Logging
import Platform
import Synchronization

package final class StoreWriter: Sendable {
    /// What the writer's lock protects: the queue of writes and what the API asks about the database.
    struct State {
        var writes: PendingWrites
        var nextSequence: UInt64
        var draining = false
        /// `start` was called: until then changes wait (the registration must come first, and it needs its listener).
        var started = false
        /// The checks are registered (the database was reached once since start).
        var registered = false
        /// Since when the database is unavailable (for the API) and since when on the monotonic clock (for how long).
        var unavailable: (since: Date, at: MonotonicInstant)?
    }

    /// The store's side, used on its queue only.
    final class Session {
        let store: any Store
        var ids: [String: Int64] = [:]
        /// Failed attempts in a row, for the back-off.
        var failures = 0
        var onRegistered: @Sendable (Registration) -> Void = { _ in }
        init(_ store: sending any Store) { self.store = store }
    }

    let state: Mutex<State>
    let session: ThreadConfined<Session>
    /// Queues the batch of latest pings; armed by the first ping remembered after a batch.
    let batchTimer: ThreadQueue.Timer
    let journal: JournalKeeper?
    let domains: [String]
    let logger: Logger
    let historyWindow: Double
    /// How long after the first remembered ping the batch of latest pings is queued.
    let batchSeconds: Double
    let backoff = Backoff(first: 0.2, maximum: 10)

    /// `domains`: the configured hosts, registered first. `journal`: nil for no journal (unit tests).
    /// `batchInterval`: how long after the first of them the checks' latest pings are written (seconds). `historyWindow`: how many seconds
    /// of incidents and gaps the registration reads back. `alivePeriod`: how often the journal's alive mark is
    /// refreshed (seconds). `journalQueue`: the journal's thread, and `queue` the store's (each one of its own if
    /// nil). Changes may be submitted at once; nothing is written before `start`. Throws if the store's or the
    /// journal's thread cannot be started.
    package init(store: sending any Store, journal: sending Journal? = nil, domains: [String], logger: Logger,
                 batchInterval: Double = 5, historyWindow: Double = 30 * 86_400, alivePeriod: Double = 5,
                 journalQueue: ThreadQueue? = nil, queue: ThreadQueue? = nil) throws {
        let recovered = journal?.recovered.changes ?? []
        state = Mutex(State(writes: PendingWrites(recovered: recovered), nextSequence: (journal?.lastSequence ?? 0) + 1))
        if let journal {
            self.journal = try JournalKeeper(journal, logger: logger, alivePeriod: alivePeriod, queue: journalQueue)
        } else {
            self.journal = nil
        }
        let queue = try queue ?? ThreadQueue(name: "status-store")
        session = ThreadConfined(Session(store), queue: queue)
        self.domains = domains
        self.logger = logger
        self.historyWindow = historyWindow
        batchSeconds = max(batchInterval, 0.01)
        let owner = WeakReference<StoreWriter>()
        batchTimer = queue.makeTimer { owner.value?.queueLatest() }
        owner.value = self
    }

    /// Starts writing: the registration first, then what was submitted. `onRegistered` runs on the store's queue
    /// once the checks are registered, with what the database said.
    package func start(onRegistered: @escaping @Sendable (Registration) -> Void = { _ in }) {
        session.async { [self] session in
            session.onRegistered = onRegistered
            let claimed = state.withLock { state in
                state.started = true
                return Self.claimDrain(&state)
            }
            if claimed { drain(session) }
        }
    }

    deinit {
        batchTimer.cancel()
    }

    /// Changes not yet written (each check whose latest ping waits for the next batch counts once).
    package var pendingCount: Int { state.withLock { $0.writes.count } }

    /// Journal records not yet known to be in the database. Cheap: no file access, no waiting.
    package var journalWaiting: Int { state.withLock { $0.writes.journaled } }

    /// True while the database answers (false from the first failed attempt until the next success).
    package var databaseReachable: Bool { state.withLock { $0.unavailable == nil && $0.registered } }

    /// Queues a change; returns at once. A `performed` only replaces the check's remembered latest ping; other
    /// changes are journaled (the append is queued before the change is, so it is on disk before it is written).
    package func submit(_ change: StateChange) {
        var armBatch = false
        let start = state.withLock { state -> Bool in
            if case .performed(let domain, let at, let status) = change {
                if state.writes.remember(domain, CheckUpdate(id: 0, lastPerformed: at, status: status)) {
                    armBatch = true
                }
                return false
            }
            var sequence: UInt64?
            if let journal {
                let next = state.nextSequence
                state.nextSequence += 1
                journal.append(sequence: next, change)
                sequence = next
            }
            state.writes.append(change, sequence: sequence)
            return Self.claimDrain(&state)
        }
        if start { startDrain() }
        // Armed from here: the store's thread wakes when the batch is due, not also now.
        if armBatch { batchTimer.schedule(after: batchSeconds, leeway: 0.1) }
    }

    /// Queues the remembered latest pings as one batch.
    func queueLatest() {
        let start = state.withLock { state in state.writes.queueLatest() && Self.claimDrain(&state) }
        if start { startDrain() }
    }

    /// True if the caller should start draining (nobody is); with the lock held.
    static func claimDrain(_ state: inout State) -> Bool {
        guard state.started, !state.draining else { return false }
        state.draining = true
        return true
    }

    func startDrain() {
        session.async { [self] session in drain(session) }
    }

    /// The check's incidents, newest first, read on the store's queue after the writes queued before it;
    /// `completion` runs there too. Fails at once while the database is unavailable or not yet reached.
    package func incidents(domain: String, filter: IncidentFilter = .all,
                           completion: @escaping @Sendable (Result<[Incident], Error>) -> Void) {
        session.async { [self] session in
            if let since = state.withLock({ $0.unavailable?.since }) {
                return completion(.failure(StoreError.unavailable("since \(JSONText.time(since))")))
            }
            guard let id = session.ids[domain] else {
                return completion(.failure(StoreError.unavailable("not reached yet since start")))
            }
            completion(Result { try session.store.incidents(checkID: id, filter: filter) })
        }
    }

    /// Queues the latest pings, then waits until every pending change is written or `timeout` seconds pass;
    /// true if all were written. Either way, what is left stays in the journal.
    package func flush(timeout: Double) -> Bool {
        queueLatest()
        return MonotonicInstant.after(seconds: timeout).wait {
            state.withLock { $0.writes.isEmpty && !$0.draining }
        }
    }

    /// Notes a clean stop in the state directory (after `flush`).
    package func markStopped() {
        journal?.markStopped()
    }
}
