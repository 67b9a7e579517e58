// The history writer's spool queue: a tick after the first ping the recorder buffers, its pings go to their
// steps' .pings files, and a step that has ended (and whose last pings have had their timeout) is closed into
// rows, which are handed to the database queue in memory. Nothing here waits for the database.
import Foundation
import Platform

extension HistoryWriter {
    func tick(_ spooling: Spooling) {
        guard !spooling.stopped else { return }
        spoolBuffered(spooling)
        let now = Date().timeIntervalSince1970
        let resolution = settings.ladder.step
        for step in spooling.spool.openSteps where Double(step + resolution) + settings.grace <= now {
            close(step, spooling)
        }
        scheduleSpool(spooling)
    }

    /// The spool wakes when its oldest open step is due to close, or up to `closeLeeway` later: pings arriving
    /// meanwhile wake it sooner (`whenFirstRecorded`), and that tick closes the step. At a 30 s interval a step
    /// thus closes in the wake-up for the next round's pings, not in one of its own.
    func scheduleSpool(_ spooling: Spooling) {
        guard let oldest = spooling.spool.openSteps.first else { return }
        let due = Double(oldest + settings.ladder.step) + settings.grace - Date().timeIntervalSince1970
        wakeSpool(spooling, in: max(due, 0), leeway: max(settings.closeLeeway, Self.leeway))
    }

    /// Sets the spool's timer for `seconds` from now, unless it is set to fire sooner.
    func wakeSpool(_ spooling: Spooling, in seconds: Double, leeway: Double = HistoryWriter.leeway) {
        guard !spooling.stopped else { return }
        spoolTimer.scheduleUnlessSooner(after: seconds, leeway: leeway)
    }

    /// Appends the recorder's pings to their steps' files; those of closed steps are only counted.
    func spoolBuffered(_ spooling: Spooling) {
        for (step, records) in recorder.take() {
            guard step >= spooling.closedBefore else {
                state.withLock { $0.figures.latePings += UInt64(records.count / HistorySpool.recordSize) }
                continue
            }
            do {
                try spooling.spool.append(step: step, records)
            } catch {
                logger.error("history_spool_failed", ["reason": "\(error)"])
            }
        }
        let oldest = spooling.spool.openSteps.first
        state.withLock { $0.oldestOpenStep = oldest }
    }

    /// Closes one step: its rows go to the database queue in memory (its .pings file stays until they are written).
    func close(_ step: Int64, _ spooling: Spooling) {
        spooling.closedBefore = max(spooling.closedBefore, step + settings.ladder.step)
        do {
            if let spooled = try spooling.spool.close(step: step) {
                state.withLock { $0.figures.spooledSteps += 1; $0.figures.spooledBytes += spooled.bytes }
                session.async { [self] session in
                    session.pending.append(spooled)
                    session.pending.sort()
                    enforceLimit(session)
                    guard session.retryAt == nil else { return spill(session) }
                    drain(session)
                    // A maintenance pass due soon runs after this block, in the same wake-up: the database timer
                    // may run early (scheduleDatabaseTick).
                    guard session.pending.isEmpty else { return }
                    scheduleDatabaseTick(session)
                }
            }
        } catch {
            logger.error("history_spool_failed", ["reason": "\(error)"])
        }
        let oldest = spooling.spool.openSteps.first
        state.withLock { $0.oldestOpenStep = oldest }
    }
}
