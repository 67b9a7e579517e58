// The store's own queue: every database call runs here, never on a timer queue or an event loop. Changes are
// applied in the order they were submitted; while the database is unavailable the head change is retried with
// capped, jittered exponential back-off and the rest wait behind it, so nothing is reordered or dropped.
import Dispatch
import Foundation

public final class StoreWriter: @unchecked Sendable {
    /// A state change to record.
    public enum Change: Sendable, Equatable {
        case performed(checkID: Int64, at: Date, status: Bool)
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
    private var draining = false
    private var unavailableSince: Date?
    private var backoff = 0.0
    private let firstBackoff = 0.2
    private let maximumBackoff = 10.0

    public init(store: Store, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Changes not yet written.
    public var pendingCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return pending.count
    }

    /// Queues a change; returns at once. A `performed` replaces a still-pending `performed` of the same check
    /// at the tail (only the newest state of a check matters), which keeps an outage's queue short.
    public func submit(_ change: Change) {
        lock.lock()
        if case .performed(let id, _, _) = change, case .performed(let lastID, _, _)? = pending.last, lastID == id {
            pending[pending.count - 1] = change
        } else {
            pending.append(change)
        }
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

    /// Waits until every pending change is written or `timeout` seconds pass; true if all were written.
    public func flush(timeout: Double) -> Bool {
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
        case .performed(let id, let at, let status):
            try store.updateCheck(id: id, lastPerformed: at, status: status)
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
