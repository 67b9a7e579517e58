// Writing closed steps, oldest first, on the history's database queue: each step's rows (every host's rollup) in
// one transaction of bulk executions (MariaDBHistoryStore), then its spool file goes. While the database is
// unavailable the head step is retried with capped, jittered back-off and the rest wait behind it on disk (rows
// that came in memory are spilled into .rows files); a step the database refuses for another reason, or whose
// file cannot be read, is logged and dropped so that it does not block the rest.
import Foundation
import History
import Platform

extension HistoryWriter {
    func drain(_ session: Session) {
        while let head = session.pending.first {
            do {
                try write(head, session)
                written(head, session)
                recovered(session)
            } catch StoreError.unavailable(let reason) {
                failedAttempt(reason, session)
                spill(session)
                return
            } catch let error as StoreError {
                logger.error("history_write_failed", ["step": head.stepStart, "reason": "\(error)"])
                written(head, session)
            } catch {
                logger.error("history_spool_failed", ["step": head.stepStart, "reason": "\(error)"])
                written(head, session)
            }
        }
    }

    private func write(_ step: SpooledStep, _ session: Session) throws {
        let store = session.store
        if !session.migrated {
            try store.migrate()
            session.migrated = true
        }
        let stepRows = try HistorySpool.rows(step, in: settings.directory)
        let missing = Array(Set(stepRows.rows.lazy.map(\.domain).filter { session.ids[$0] == nil }))
        if !missing.isEmpty { session.ids.merge(try store.checkIDs(domains: missing)) { _, new in new } }
        let rows = stepRows.rows.compactMap { row -> HistoryRow? in
            guard let id = session.ids[row.domain] else { return nil }
            return HistoryRow(checkID: id, resolution: stepRows.resolution, stepStart: stepRows.stepStart,
                              run: stepRows.run, sent: row.sent, rollup: row.rollup)
        }.sorted { $0.checkID < $1.checkID }
        try store.writeHistory(rows)
        let statements = store.statements(forRows: rows.count)
        state.withLock {
            $0.figures.rowsWritten += UInt64(rows.count)
            $0.figures.statements += UInt64(statements)
        }
    }

    /// While the database is away, the steps waiting in memory go to .rows files (their .pings files go): a long
    /// outage then holds no rows in memory.
    func spill(_ session: Session) {
        for index in session.pending.indices where session.pending[index].rows != nil {
            let step = session.pending[index]
            do {
                let spilled = try HistorySpool.spill(step, in: settings.directory)
                session.pending[index] = spilled
                state.withLock { $0.figures.spooledBytes += spilled.bytes - step.bytes }
            } catch {
                logger.error("history_spool_failed", ["step": step.stepStart, "reason": "\(error)"])
            }
        }
    }

    /// The step is in the database (or given up): its file goes.
    private func written(_ step: SpooledStep, _ session: Session) {
        session.pending.removeFirst()
        do {
            try HistorySpool.remove(step, in: settings.directory)
        } catch {
            logger.error("history_spool_failed", ["reason": "\(error)"])
        }
        state.withLock { $0.figures.spooledSteps -= 1; $0.figures.spooledBytes -= step.bytes }
    }

    func failedAttempt(_ reason: String, _ session: Session) {
        session.failures += 1
        session.retryAt = MonotonicInstant.after(seconds: backoff.delay(afterFailures: session.failures))
        scheduleDatabaseTick(session)
        let first = state.withLock { state -> Bool in
            guard state.unavailableSince == nil else { return false }
            state.unavailableSince = Date()
            return true
        }
        if first { logger.warning("history_db_unavailable", ["reason": reason, "steps_waiting": session.pending.count]) }
    }

    func recovered(_ session: Session) {
        session.failures = 0
        session.retryAt = nil
        let since = state.withLock { state -> Date? in
            defer { state.unavailableSince = nil }
            return state.unavailableSince
        }
        if let since {
            logger.info("history_db_back", ["down_for_s": String(format: "%.1f", Date().timeIntervalSince(since))])
        }
    }
}
