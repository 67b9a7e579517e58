// Shutdown: SIGTERM or SIGINT stops accepting connections, lets in-flight responses finish, stops the pings, and
// gives the store, the history, the webhooks and the probes' leaving two seconds side by side to write and send what waits (what the
// store could not write stays in the journal, the history's steps in its spool); then the alive file says "stopped" and the daemon exits 0, within the
// contract's 5 s. A second signal exits at once with 1.
import Dispatch
import Encoding
import Foundation
import Glibc
import Logging
import Monitor

extension Daemon {
    func shutDown(signalName: String) {
        if stopping.exchange(true, ordering: .acquiringAndReleasing) {
            logger.warning("shutdown_forced", ["signal": signalName])
            logger.flush(timeout: 0.5)
            exit(1)
        }
        logger.info("shutdown", ["signal": signalName])
        DispatchQueue.global().async { [server, monitor, writer, history, webhooks, coordinator, logger] in
            server.shutdown(gracePeriod: 2)
            monitor.stop()
            Self.logStatistics(monitor.statistics(), logger)
            let sent = DispatchGroup()
            if let webhooks {
                DispatchQueue.global().async(group: sent) { _ = webhooks.flush(timeout: 2) }
            }
            DispatchQueue.global().async(group: sent) {
                if !history.flush(timeout: 2) {
                    logger.warning("shutdown_history_unflushed", ["steps_waiting": history.figures.spooledSteps])
                }
                let figures = history.figures
                logger.info("history_stats", ["rows_written": figures.rowsWritten, "statements": figures.statements,
                                              "steps_dropped": figures.droppedSteps, "late_pings": figures.latePings])
            }
            DispatchQueue.global().async(group: sent) { _ = coordinator.leave(timeout: 2) }
            DispatchQueue.global().async(group: sent) {
                if !writer.flush(timeout: 2) {
                    logger.warning("shutdown_unflushed", ["pending": writer.pendingCount, "journaled": writer.journalWaiting])
                }
            }
            // Each flush gives up after its 2 s; the margin lets the last of them say so before the exit.
            if sent.wait(timeout: .now() + 2.3) == .timedOut { logger.warning("shutdown_flush_timed_out") }
            writer.markStopped()
            logger.info("stopped")
            logger.flush(timeout: 0.5)
            exit(0)
        }
    }

    /// One line with the pinger's counters and the schedule's lateness since start, for operators and bench/pinger.
    static func logStatistics(_ figures: Monitor.Statistics, _ logger: Logger) {
        let counters = figures.pinger
        func milliseconds(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "none" }
        logger.info("pinger_stats", ["sent": counters.sent, "replies": counters.replies, "errors": counters.errors,
                                     "timeouts": counters.timeouts, "late": counters.late, "duplicates": counters.duplicates,
                                     "foreign": counters.foreign, "send_failures": counters.sendFailures,
                                     "ticks": figures.ticks, "lateness_p50_ms": milliseconds(figures.latenessP50Milliseconds),
                                     "lateness_p99_ms": milliseconds(figures.latenessP99Milliseconds),
                                     "down_transitions": figures.downTransitions])
    }
}
