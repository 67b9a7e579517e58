// Keeping the history small, on the history's database queue, between writes: each coarser level's rows are merged from the
// finer level's, one window (an hour, a day) at a time for every check, 500 checks a statement, and only for
// windows the finer level has whole (the step rows of every step this daemon still holds are in; hourly rows
// only up to where hours were merged). Then rows past their level's retention are deleted, those of finer levels
// only once merged. Each statement is short; a pass does at most `windowsPerPass` windows and comes back soon if
// behind.
import Foundation
import History
import Platform

extension HistoryWriter {
    static let windowsPerPass = 6
    static let checksPerBatch = 500

    /// How early the next pass may run in a step's write (the database timer's allowance): not at all while the
    /// passes are behind; once caught up, nine tenths of a step (or of the interval, if shorter), so that each pass
    /// falls in the step write nearest before it is due, or the first after, and passes stay about an interval apart.
    func maintenanceEarly(_ session: Session) -> Double {
        session.caughtUp ? 0.9 * min(settings.maintenanceInterval, Double(settings.ladder.step)) : 0
    }

    /// Runs a maintenance pass if one is due, or due within `early` seconds (the database timer ran early).
    func maintainIfDue(_ session: Session, early: Double = 0) {
        let now = MonotonicInstant.now()
        guard MonotonicInstant.after(seconds: early) >= session.nextMaintenance else { return }
        do {
            let behind = try merge(session)
            session.nextMaintenance = MonotonicInstant.after(seconds: behind ? 1 : settings.maintenanceInterval)
            session.caughtUp = !behind
            if now >= session.nextExpiry {
                try expire(session)
                session.nextExpiry = MonotonicInstant.after(seconds: 10 * settings.maintenanceInterval)
            }
        } catch StoreError.unavailable(let reason) {
            session.progress = nil
            failedAttempt(reason, session)
            session.nextMaintenance = MonotonicInstant.after(seconds: settings.maintenanceInterval)
        } catch {
            session.progress = nil
            logger.error("history_maintenance_failed", ["reason": "\(error)"])
            session.nextMaintenance = MonotonicInstant.after(seconds: settings.maintenanceInterval)
        }
    }

    /// Merges due windows; true if more are due than one pass does.
    func merge(_ session: Session) throws -> Bool {
        let store = session.store
        if !session.migrated {
            try store.migrate()
            session.migrated = true
        }
        let levels = settings.ladder.levels
        // The oldest step whose rows may still be on their way: this run's open steps, the spool's, the current one.
        let current = HistoryQuery.floor(Int64(Date().timeIntervalSince1970), levels[0].seconds)
        let open = state.withLock { $0.oldestOpenStep }
        let unwritten = ([current] + (open.map { [$0] } ?? []) + session.pending.map(\.stepStart)).min() ?? current
        if let cached = session.progress, !anyWindowDue(cached, unwritten: unwritten) { return false }
        session.progress = nil
        var progress = try store.historyProgress()
        var checks: [Int64]?
        var windows = 0
        for level in 1..<levels.count {
            let seconds = levels[level].seconds
            let whole = level == 1 ? unwritten : (progress[levels[level - 1].seconds] ?? .min)
            let limit = HistoryQuery.floor(whole, seconds)
            var through = progress[seconds] ?? limit
            if progress[seconds] == nil { try store.setHistoryProgress(resolution: seconds, mergedThrough: through) }
            while through + seconds <= limit {
                guard windows < Self.windowsPerPass else { return true }
                let ids = try checks ?? store.allCheckIDs()
                checks = ids
                try mergeWindow(level: level, from: through, checks: ids, store)
                through += seconds
                try store.setHistoryProgress(resolution: seconds, mergedThrough: through)
                windows += 1
            }
            progress[seconds] = through
        }
        session.progress = progress
        return false
    }

    /// Whether `progress` leaves a window of some coarser level whole and not merged (as `merge` would find it).
    func anyWindowDue(_ progress: [Int64: Int64], unwritten: Int64) -> Bool {
        let levels = settings.ladder.levels
        for level in 1..<levels.count {
            let seconds = levels[level].seconds
            let whole = level == 1 ? unwritten : (progress[levels[level - 1].seconds] ?? .min)
            let limit = HistoryQuery.floor(whole, seconds)
            guard let through = progress[seconds] else { return true }
            if through + seconds <= limit { return true }
        }
        return false
    }

    /// Writes level `level`'s row for [from, from + its seconds) of every check from the finer level's rows.
    func mergeWindow(level: Int, from: Int64, checks: [Int64], _ store: any HistoryStore) throws {
        let levels = settings.ladder.levels
        let seconds = levels[level].seconds
        var start = 0
        while start < checks.count {
            let batch = Array(checks[start..<min(start + Self.checksPerBatch, checks.count)])
            start += batch.count
            var merged: [Int64: PingRollup] = [:]
            for row in try store.historyRows(checkIDs: batch, resolution: levels[level - 1].seconds, from: from,
                                             until: from + seconds) {
                guard let rollup = PingRollup(encoded: row.rollup) else { continue }
                merged[row.checkID, default: PingRollup()].merge(rollup)
            }
            let rows = merged.keys.sorted().compactMap { id -> HistoryRow? in
                guard let rollup = merged[id] else { return nil }
                return HistoryRow(checkID: id, resolution: seconds, stepStart: from, run: 0, sent: rollup.sent,
                                  rollup: rollup.encoded)
            }
            try store.writeHistory(rows)
            state.withLock { $0.figures.statements += rows.isEmpty ? 1 : 2 }
        }
    }

    /// Deletes rows past their level's retention; a finer level's only where the next level has merged them.
    func expire(_ session: Session) throws {
        let store = session.store
        let levels = settings.ladder.levels
        let progress = try store.historyProgress()
        let now = Int64(Date().timeIntervalSince1970)
        let checks = try store.allCheckIDs()
        for (index, level) in levels.enumerated() {
            var before = HistoryQuery.floor(now - level.retention, level.seconds)
            if index + 1 < levels.count { before = min(before, progress[levels[index + 1].seconds] ?? .min) }
            guard before > .min else { continue }
            let deleted = try store.deleteHistory(checkIDs: checks, resolution: level.seconds, before: before)
            if deleted > 0 { logger.info("history_expired", ["resolution_s": level.seconds, "rows": deleted]) }
        }
    }
}
