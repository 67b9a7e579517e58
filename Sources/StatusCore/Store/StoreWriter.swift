// The store's own queue: every database call runs here, never on a timer queue or an event loop. Changes are
// applied in the order they were submitted; while the database is unavailable the head change is retried with
// capped, jittered exponential back-off and the rest wait behind it, so nothing is reordered or dropped.
//
// Nothing lost: every change but a plain ping is appended to the journal (fsynced, on a queue of its own)
// before it is written, and marked done after; changes an earlier run left in the journal are written first.
// The first thing the writer does is register the checks (migrate, ids by domain, ongoing incidents): with the
// database down at start it keeps retrying that, and the daemon runs on meanwhile.
//
// Database load grows with state changes, not with pings: incidents and up/down flips are queued at once,
// while each check's latest ping is only remembered and written for all checks together every few seconds
// (one batched statement per 5,000 checks) and at shutdown.
import Dispatch
import Foundation

public final class StoreWriter: @unchecked Sendable {
    /// What the database said at registration.
    public struct Registration: Sendable {
        /// Check ids by domain, for every configured domain.
        public var ids: [String: Int64]
        /// Ongoing incidents of domains for which no change was waiting at that moment (so the database's word
        /// is the newest there is about them).
        public var ongoingWithoutPendingChanges: [String: Incident]
        /// The longest uptime window's worth of history, for the uptime figures.
        public var history: StoredHistory
    }

    private enum Work {
        case register
        case change(sequence: UInt64?, StateChange)
        /// Many checks' latest pings, by domain (queued by the writer itself from `performed`).
        case checks([String: CheckUpdate])
    }

    private let store: Store
    private let journal: Journal?
    private let domains: [String]
    private let logger: Logger
    private let queue = DispatchQueue(label: "status.store")
    private let journalQueue = DispatchQueue(label: "status.journal")
    private let lock = NSLock()
    private var pending: [Work] = [.register]
    /// Each check's latest `performed` not yet queued, by domain.
    private var latest: [String: CheckUpdate] = [:]
    private var nextSequence: UInt64
    /// Journaled changes not yet written (those an earlier run left included).
    private var journaledPending = 0
    private var ids: [String: Int64] = [:]
    private var batchTimer: DispatchSourceTimer?
    private var aliveTimer: DispatchSourceTimer?
    private var draining = false
    private var unavailableSince: Date?
    private var backoff = 0.0
    private let firstBackoff = 0.2
    private let maximumBackoff = 10.0
    private let onRegistered: (Registration) -> Void

    /// `domains`: the configured hosts, registered first. `journal`: nil for no journal (unit tests).
    /// `batchInterval`: how often the checks' latest pings are written (seconds). `onRegistered` runs on the
    /// store's queue once the checks are registered.
    public init(store: Store, journal: Journal? = nil, domains: [String], logger: Logger, batchInterval: Double = 5,
                onRegistered: @escaping (Registration) -> Void = { _ in }) {
        self.store = store
        self.journal = journal
        self.domains = domains
        self.logger = logger
        self.onRegistered = onRegistered
        nextSequence = (journal?.lastSequence ?? 0) + 1
        for (sequence, change) in journal?.recovered.changes ?? [] { pending.append(.change(sequence: sequence, change)) }
        journaledPending = journal?.recovered.changes.count ?? 0
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let nanoseconds = Int(max(batchInterval, 0.01) * 1e9)
        timer.schedule(deadline: .now() + .nanoseconds(nanoseconds), repeating: .nanoseconds(nanoseconds),
                       leeway: .milliseconds(100))
        timer.setEventHandler { [weak self] in self?.queueLatest() }
        timer.resume()
        batchTimer = timer
        if let journal {
            let alive = DispatchSource.makeTimerSource(queue: journalQueue)
            alive.schedule(deadline: .now(), repeating: .seconds(5), leeway: .milliseconds(500))
            alive.setEventHandler { [logger] in
                do { try journal.markAlive(Date()) } catch { logger.error("state_dir_write_failed", ["reason": "\(error)"]) }
            }
            alive.resume()
            aliveTimer = alive
        }
        lock.lock()
        startDrainLocked()
    }

    deinit {
        batchTimer?.cancel()
        aliveTimer?.cancel()
    }

    /// Changes not yet written (each check whose latest ping waits for the next batch counts once).
    public var pendingCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return pending.count + latest.count
    }

    /// Journal records not yet known to be in the database. Cheap: no file access, no waiting.
    public var journalWaiting: Int {
        lock.lock()
        defer { lock.unlock() }
        return journaledPending
    }

    /// True while the database answers (false from the first failed attempt until the next success).
    public var databaseReachable: Bool {
        lock.lock()
        defer { lock.unlock() }
        return unavailableSince == nil && !ids.isEmpty
    }

    /// Queues a change; returns at once. A `performed` only replaces the check's remembered latest ping; a
    /// `flipped` is newer than that one, which is dropped. Other changes go to the journal first.
    public func submit(_ change: StateChange) {
        lock.lock()
        switch change {
        case .performed(let domain, let at, let status):
            latest[domain] = CheckUpdate(id: 0, lastPerformed: at, status: status)
            lock.unlock()
            return
        case .flipped(let domain, _, _):
            latest[domain] = nil
        default:
            break
        }
        let sequence = nextSequence
        nextSequence += 1
        pending.append(.change(sequence: journal == nil ? nil : sequence, change))
        if let journal {
            journaledPending += 1
            journalQueue.async { [logger] in
                do {
                    try journal.append(sequence: sequence, change)
                } catch {
                    logger.error("journal_append_failed", ["reason": "\(error)", "change": "\(change)"])
                }
            }
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
            for (domain, update) in older where updates[domain] == nil { updates[domain] = update }
            pending.removeLast()
        }
        pending.append(.checks(updates))
        startDrainLocked()
    }

    /// Call with the lock held; releases it.
    private func startDrainLocked() {
        let start = !draining
        draining = true
        lock.unlock()
        if start { queue.async { self.drain() } }
    }

    /// The check's incidents, newest first, read on the store's queue after the writes queued before it;
    /// `completion` runs there too. Fails at once while the database is unavailable or not yet reached.
    public func incidents(domain: String, filter: IncidentFilter = .all,
                          completion: @escaping (Result<[Incident], Error>) -> Void) {
        queue.async {
            if let since = self.unavailableSince {
                return completion(.failure(StoreError.unavailable("since \(JSONText.time(since))")))
            }
            guard let id = self.ids[domain] else {
                return completion(.failure(StoreError.unavailable("not reached yet since start")))
            }
            completion(Result { try self.store.incidents(checkID: id, filter: filter) })
        }
    }

    /// Queues the latest pings, then waits until every pending change is written or `timeout` seconds pass;
    /// true if all were written. Either way, what is left stays in the journal.
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

    /// Notes a clean stop in the state directory (after `flush`).
    public func markStopped() {
        guard let journal else { return }
        journalQueue.sync {
            do { try journal.markAlive(Date(), stopped: true) } catch {
                logger.error("state_dir_write_failed", ["reason": "\(error)"])
            }
        }
    }

    private func drain() {
        while true {
            lock.lock()
            guard let work = pending.first else {
                draining = false
                lock.unlock()
                return
            }
            lock.unlock()
            do {
                try apply(work)
                recovered()
            } catch StoreError.unavailable(let reason) {
                failedAttempt(reason)
                retryLater()
                return
            } catch {
                if case .register = work {
                    // The checks must be registered before anything else; keep trying, slowly.
                    failedAttempt("\(error)")
                    backoff = maximumBackoff
                    retryLater()
                    return
                }
                recovered()
                logger.error("db_write_failed", ["change": "\(work)", "reason": "\(error)"])
            }
            lock.lock()
            pending.removeFirst()
            if case .change(_?, _) = work { journaledPending -= 1 }
            lock.unlock()
            if case .change(let sequence?, _) = work, let journal {
                journalQueue.async { [logger] in
                    do { try journal.applied(through: sequence) } catch {
                        logger.error("journal_write_failed", ["reason": "\(error)"])
                    }
                }
            }
        }
    }

    private func retryLater() {
        let delay = backoff * Double.random(in: 0.5...1.0)
        queue.asyncAfter(deadline: .now() + delay) { self.drain() }
    }

    private func apply(_ work: Work) throws {
        switch work {
        case .register:
            try register()
        case .checks(let updates):
            try store.updateChecks(try updates.map { domain, update in
                CheckUpdate(id: try id(of: domain), lastPerformed: update.lastPerformed, status: update.status)
            }.sorted { $0.id < $1.id })
        case .change(_, let change):
            try apply(change)
        }
    }

    private func apply(_ change: StateChange) throws {
        switch change {
        case .performed(let domain, let at, let status), .flipped(let domain, let at, let status):
            try store.updateChecks([CheckUpdate(id: try id(of: domain), lastPerformed: at, status: status)])
        case .opened(let domain, let description, let downDetection):
            let id = try id(of: domain)
            if let ongoing = try store.ongoingIncident(checkID: id) {
                if ongoing.downDetection != downDetection {
                    logger.info("incident_already_open", ["host": domain, "incident": ongoing.id])
                }
                return
            }
            _ = try store.openIncident(checkID: id, description: description, downDetection: downDetection)
        case .closed(let domain, let upDetection):
            _ = try store.closeIncident(checkID: try id(of: domain), upDetection: upDetection)
        case .described(let domain, let description):
            try store.describeOngoingIncident(checkID: try id(of: domain), description: description)
        case .gap(let from, let until, let reason):
            try store.recordGap(from: from, until: until, reason: reason)
        }
    }

    /// A check's id; a domain that is no longer configured (a change an earlier run journaled) is registered.
    private func id(of domain: String) throws -> Int64 {
        if let id = ids[domain] { return id }
        guard let check = try store.registerChecks(domains: [domain]).first else {
            throw StoreError.failed("could not register \(domain)")
        }
        lock.lock()
        ids[domain] = check.id
        lock.unlock()
        return check.id
    }

    private func register() throws {
        try store.migrate()
        let checks = try store.registerChecks(domains: domains)
        let registered = Dictionary(checks.map { ($0.domain, $0.id) }, uniquingKeysWith: { first, _ in first })
        lock.lock()
        var touched: Set<String> = []
        for case .change(_, let change) in pending.dropFirst() {
            switch change {
            case .opened(let domain, _, _), .closed(let domain, _), .described(let domain, _), .flipped(let domain, _, _):
                touched.insert(domain)
            default:
                break
            }
        }
        lock.unlock()
        // The history holds every ongoing incident (they reach up to now): one query instead of one per check.
        let history = try store.history(since: Date().addingTimeInterval(-UptimeCalculation.longestWindow))
        var ongoingByCheck: [Int64: Incident] = [:]
        for incident in history.incidents where incident.isOngoing { ongoingByCheck[incident.checkID] = incident }
        var ongoing: [String: Incident] = [:]
        for check in checks where !touched.contains(check.domain) {
            if let incident = ongoingByCheck[check.id] { ongoing[check.domain] = incident }
        }
        lock.lock()
        ids = registered
        lock.unlock()
        if let journal {
            journalQueue.async { [logger] in
                do { try journal.remember(ids: registered) } catch {
                    logger.error("state_dir_write_failed", ["reason": "\(error)"])
                }
            }
        }
        logger.info("checks_registered", ["checks": checks.count, "ongoing_incidents": ongoing.count])
        onRegistered(Registration(ids: registered, ongoingWithoutPendingChanges: ongoing, history: history))
    }

    private func failedAttempt(_ reason: String) {
        lock.lock()
        let first = unavailableSince == nil
        if first { unavailableSince = Date() }
        lock.unlock()
        if first { logger.warning("db_unavailable", ["reason": reason, "pending": pendingCount]) }
        backoff = backoff == 0 ? firstBackoff : min(backoff * 2, maximumBackoff)
    }

    private func recovered() {
        lock.lock()
        let since = unavailableSince
        unavailableSince = nil
        lock.unlock()
        if let since {
            logger.info("db_back", ["down_for_s": String(format: "%.1f", Date().timeIntervalSince(since))])
        }
        backoff = 0
    }
}
