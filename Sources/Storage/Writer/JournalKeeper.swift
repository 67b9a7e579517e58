// The journal's thread (a ThreadQueue, shared with the history's spool: both write STATE_DIR's files): appends
// (fsynced) in the order the writer submitted them, marks changes as written, the check ids, and the heartbeat
// in the alive file (every 5 s to 30 s, as the daemon's interval, written in a wake-up the thread has for other
// work when one comes in the second half of the period). The writer asks `waitUntilAppended` before it writes a
// journaled change to the database, so a change is on disk before the database has it: a crash between the two
// leaves it in the journal, never only in the database's hands.
import Foundation
import Logging
import Platform
import Synchronization

final class JournalKeeper: Sendable {
    final class Files {
        let journal: Journal
        init(_ journal: Journal) { self.journal = journal }
    }

    let files: ThreadConfined<Files>
    private let heartbeat: ThreadQueue.Timer
    /// The highest sequence number whose append has finished (written and fsynced, or failed and logged).
    private let appendedThrough: Atomic<UInt64>
    private let logger: Logger

    /// Runs on `queue`, or a thread of its own (`status-journal`). Throws if that thread cannot be started.
    init(_ journal: sending Journal, logger: Logger, alivePeriod: Double = 5, queue: ThreadQueue? = nil) throws {
        self.logger = logger
        appendedThrough = Atomic(journal.lastSequence)
        let queue = try queue ?? ThreadQueue(name: "status-journal")
        let files = ThreadConfined(Files(journal), queue: queue)
        self.files = files
        heartbeat = queue.makeTimer {
            do { try files.value.journal.markAlive(Date()) } catch {
                logger.error("state_dir_write_failed", ["reason": "\(error)"])
            }
        }
        // Written early, in the second half of its period, when the thread wakes for other work then (the spool's
        // append after each round): an idle daemon's alive mark costs no wake-up of its own.
        let period = max(alivePeriod, 1)
        heartbeat.schedule(after: 0, repeating: period, leeway: period / 10, early: period / 2)
    }

    deinit {
        heartbeat.cancel()
    }

    /// Appends `change` later, in call order. Call with the writer's lock held, before the change is queued for the
    /// database, so that `waitUntilAppended` covers it.
    func append(sequence: UInt64, _ change: StateChange) {
        files.async { [self] files in
            do {
                try files.journal.append(sequence: sequence, change)
            } catch {
                logger.error("journal_append_failed", ["reason": "\(error)", "change": "\(change)"])
            }
            appendedThrough.store(sequence, ordering: .releasing)
        }
    }

    /// Returns once the append of `sequence` has finished. Blocks: call on the store's queue.
    func waitUntilAppended(_ sequence: UInt64) {
        guard appendedThrough.load(ordering: .acquiring) < sequence else { return }
        files.sync { _ in }  // every append queued before this one is done when it returns
    }

    /// Every change up to `sequence` is in the database.
    func applied(through sequence: UInt64) {
        files.async { [logger] files in
            do { try files.journal.applied(through: sequence) } catch {
                logger.error("journal_write_failed", ["reason": "\(error)"])
            }
        }
    }

    /// Remembers the database's check ids in state.json.
    func remember(ids: [String: Int64]) {
        files.async { [logger] files in
            do { try files.journal.remember(ids: ids) } catch {
                logger.error("state_dir_write_failed", ["reason": "\(error)"])
            }
        }
    }

    /// Notes a clean stop in the alive file and waits for it to be on disk.
    func markStopped() {
        heartbeat.cancel()
        files.sync { [logger] files in
            do { try files.journal.markAlive(Date(), stopped: true) } catch {
                logger.error("state_dir_write_failed", ["reason": "\(error)"])
            }
        }
    }
}
