// The store's own queue: every database call runs here, never on a timer queue or an event loop. Changes are
// applied in the order they were submitted; while the database is unavailable the head change is retried with
// capped, jittered exponential back-off and the rest wait behind it, so nothing is reordered or dropped.
//
// Database load grows with state changes, not with pings: incidents and up/down flips are queued at once,
// while each check's latest ping is only remembered and written for all checks together every few seconds
// (one batched statement per 5,000 checks) and at shutdown.
import Dispatch
import Foundation

public final class StoreWriter: @unchecked Sendable {
    /// A state change to record.
    public enum Change: Sendable, Equatable {
        /// A ping that did not change the check's up/down state: batched.
        case performed(checkID: Int64, at: Date, status: Bool)
        /// A ping that turned the check down or up: written at once, in order with the incident.
        case flipped(checkID: Int64, at: Date, status: Bool)
        /// Many checks' latest pings (the writer queues these itself from `performed`).
        case checks([CheckUpdate])
        case opened(checkID: Int64, description: String, downDetection: Date)
        case closed(checkID: Int64, upDetection: Date)
        /// A clearer cause for the check's ongoing incident.
        case described(checkID: Int64, description: String)
    }

    private let store: Store
    private let logger: Logger
    private let queue = DispatchQueue(label: "status.store")
    private let lock = NSLock()
    private var pending: [Change] = []
    /// Each check's latest `performed` not yet queued, by check id.
    private var latest: [Int64: CheckUpdate] = [:]
    private var batchTimer: DispatchSourceTimer?
    private var draining = false
    private var unavailableSince: Date?
    private var backoff = 0.0
    private let firstBackoff = 0.2
    private let maximumBackoff = 10.0

    /// `batchInterval`: how often the checks' latest pings are written (seconds).
    public init(store: Store, logger: Logger, batchInterval: Double = 5) {
        self.store = store
        self.logger = logger
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let nanoseconds = Int(max(batchInterval, 0.01) * 1e9)
        timer.schedule(deadline: .now() + .nanoseconds(nanoseconds), repeating: .nanoseconds(nanoseconds),
                       leeway: .milliseconds(100))
        timer.setEventHandler { [weak self] in self?.queueLatest() }
        timer.resume()
        batchTimer = timer
    }

    deinit { batchTimer?.cancel() }

    /// Changes not yet written (each check whose latest ping waits for the next batch counts once).
    public var pendingCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return pending.count + latest.count
    }

    /// Queues a change; returns at once. A `performed` only replaces the check's remembered latest ping; a
    /// `flipped` is newer than that one, which is dropped.
    public func submit(_ change: Change) {
        lock.lock()
        switch change {
        case .performed(let id, let at, let status):
            latest[id] = CheckUpdate(id: id, lastPerformed: at, status: status)
            lock.unlock()
            return
        case .flipped(let id, _, _):
            latest[id] = nil
            pending.append(change)
        default:
            pending.append(change)
        }
        startDrainLocked()
    }

    /// Queues the remembered latest pings as one change. While the database is down, batches waiting behind
    /// the head merge into one, newest ping per check, so an outage's queue stays as long as the host list.
    private func queueLatest() {
        lock.lock()
        guard !latest.isEmpty else {
            lock.unlock()
            return
        }
        var updates = latest
        latest.removeAll(keepingCapacity: true)
        if pending.count >= 2, case .checks(let older)? = pending.last {
            for update in older where updates[update.id] == nil { updates[update.id] = update }
            pending.removeLast()
        }
        pending.append(.checks(updates.values.sorted { $0.id < $1.id }))
        startDrainLocked()
    }

    /// Call with the lock held; releases it.
    private func startDrainLocked() {
        let start = !draining
        draining = true
        lock.unlock()
        if start { queue.async { self.drain() } }
    }

    /// Runs a read on the store's queue after the writes queued before it; `completion` runs there too.
    /// While the database is unavailable it fails at once instead of waiting for the outage to end.
    public func read<T>(_ body: @escaping (Store) throws -> T, completion: @escaping (Result<T, Error>) -> Void) {
        queue.async {
            if let since = self.unavailableSince {
                completion(.failure(StoreError.unavailable("since \(JSONText.time(since))")))
                return
            }
            completion(Result { try body(self.store) })
        }
    }

    /// Runs `body` on the store's queue and waits for it: for start-up, before any timer or server runs.
    public func sync<T>(_ body: (Store) throws -> T) throws -> T {
        try queue.sync { try body(store) }
    }

    /// Queues the latest pings, then waits until every pending change is written or `timeout` seconds pass;
    /// true if all were written.
    public func flush(timeout: Double) -> Bool {
        queueLatest()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            lock.lock()
            let done = pending.isEmpty && !draining
            lock.unlock()
            if done { return true }
            usleep(10_000)
        }
        return false
    }

    private func drain() {
        while true {
            lock.lock()
            guard let change = pending.first else {
                draining = false
                lock.unlock()
                return
            }
            lock.unlock()
            do {
                try apply(change)
                recovered()
            } catch StoreError.unavailable(let reason) {
                failedAttempt(reason)
                let delay = backoff * Double.random(in: 0.5...1.0)
                queue.asyncAfter(deadline: .now() + delay) { self.drain() }
                return
            } catch {
                recovered()
                logger.error("db_write_failed", ["change": "\(change)", "reason": "\(error)"])
            }
            lock.lock()
            pending.removeFirst()
            lock.unlock()
        }
    }

    private func apply(_ change: Change) throws {
        switch change {
        case .performed(let id, let at, let status), .flipped(let id, let at, let status):
            try store.updateChecks([CheckUpdate(id: id, lastPerformed: at, status: status)])
        case .checks(let updates):
            try store.updateChecks(updates)
        case .opened(let id, let description, let downDetection):
            do {
                _ = try store.openIncident(checkID: id, description: description, downDetection: downDetection)
            } catch StoreError.ongoingIncidentExists {
                logger.info("incident_already_open", ["check_id": id])
            }
        case .closed(let id, let upDetection):
            _ = try store.closeIncident(checkID: id, upDetection: upDetection)
        case .described(let id, let description):
            try store.describeOngoingIncident(checkID: id, description: description)
        }
    }

    private func failedAttempt(_ reason: String) {
        if unavailableSince == nil {
            unavailableSince = Date()
            logger.warning("db_unavailable", ["reason": reason, "pending": pendingCount])
        }
        backoff = backoff == 0 ? firstBackoff : min(backoff * 2, maximumBackoff)
    }

    private func recovered() {
        if let since = unavailableSince {
            logger.info("db_back", ["down_for_s": String(format: "%.1f", Date().timeIntervalSince(since))])
        }
        unavailableSince = nil
        backoff = 0
    }
}
