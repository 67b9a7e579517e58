// The state directory (STATE_DIR): what must survive the database being away and the daemon crashing.
//   journal     state changes not yet known to be in the database, one CRC-checked line each, fsynced on append;
//               emptied once every line in it has been written to the database
//   state.json  each domain's check id and, for hosts that are down, since when: the state the emptied journal
//               led to, rewritten (atomically) just before the journal is emptied
//   alive       "alive <ms>" every few seconds while running, "stopped <ms>" after a clean stop: where the time
//               nobody watched begins
//   lock        flock'ed while a daemon uses the directory, so two never share it
// Not Sendable: the store writer uses it on its journal queue only.
import Encoding
import Foundation
import Glibc
import Platform

package final class Journal {
    /// What the journal and snapshot left by an earlier run say.
    package struct Recovered: Sendable {
        /// Changes that may not have reached the database, in order, with their sequence numbers.
        package var changes: [(sequence: UInt64, change: StateChange)]
        /// One line per damaged record that was skipped (e.g. the last one, torn by a crash mid-write).
        package var problems: [String]
        /// Check ids by domain, and since when each down host is down, after the recovered changes.
        package var ids: [String: Int64]
        package var downSince: [String: Date]
        /// When the previous run was last known alive, and whether it stopped cleanly; nil on a first run.
        package var lastAlive: (at: Date, stoppedCleanly: Bool)?
    }

    package let directory: String
    private let journalPath: String
    private let snapshotPath: String
    private let alivePath: String
    private let lockFD: FileDescriptor
    private var journalFD: FileDescriptor
    private let aliveFD: FileDescriptor
    private var ids: [String: Int64]
    private var downSince: [String: Date]
    private var lastAppended: UInt64
    private var appliedThrough: UInt64
    /// Lines in the journal file not yet written to the database.
    package private(set) var waiting = 0

    /// Opens (creating) the directory, takes its lock, and reads what an earlier run left. Damaged records are
    /// reported in `recovered.problems` and dropped from the file; the records before and after them are kept.
    package init(directory: String) throws {
        self.directory = directory
        journalPath = directory + "/journal"
        snapshotPath = directory + "/state.json"
        alivePath = directory + "/alive"
        try Files.makeDirectory(directory)
        lockFD = try Files.open(directory + "/lock", O_RDWR | O_CREAT)
        guard try Files.tryLock(lockFD, label: directory + "/lock") else {
            throw SystemError("flock(\(directory)/lock): another status daemon uses this STATE_DIR", errno: EWOULDBLOCK)
        }
        let snapshot = try Self.readSnapshot(snapshotPath)
        ids = snapshot.ids
        downSince = snapshot.downSince
        let (changes, problems) = try Self.readJournal(journalPath)
        lastAppended = changes.last?.sequence ?? 0
        appliedThrough = 0
        for (_, change) in changes { Self.apply(change, to: &downSince) }
        lastAlive = try Self.readAlive(alivePath)
        journalFD = try Files.open(journalPath, O_WRONLY | O_CREAT | O_APPEND)
        aliveFD = try Files.open(alivePath, O_WRONLY | O_CREAT)
        recovered = Recovered(changes: changes, problems: problems, ids: ids, downSince: downSince, lastAlive: lastAlive)
        waiting = changes.count
        if !problems.isEmpty { try rewriteJournal(changes) }
    }

    package let recovered: Recovered
    private let lastAlive: (at: Date, stoppedCleanly: Bool)?

    /// The highest sequence number in the journal file.
    package var lastSequence: UInt64 { lastAppended }

    /// Appends one change and waits for it to be on disk.
    package func append(sequence: UInt64, _ change: StateChange) throws {
        try Files.write(journalFD, JournalRecord.encode(sequence: sequence, change), label: journalPath)
        try Files.sync(journalFD, label: journalPath)
        lastAppended = max(lastAppended, sequence)
        waiting += 1
        Self.apply(change, to: &downSince)
    }

    /// Records that every change up to `sequence` is in the database. When that is all of them, the state they
    /// led to is saved in state.json and the journal is emptied.
    package func applied(through sequence: UInt64) throws {
        if sequence > appliedThrough {
            appliedThrough = sequence
            waiting = max(0, waiting - 1)
        }
        guard appliedThrough >= lastAppended else { return }
        try saveSnapshot()
        try Files.truncate(journalFD, to: 0, label: journalPath)
        try Files.sync(journalFD, label: journalPath)
        waiting = 0
    }

    /// Remembers the database's check ids (saved with the next snapshot, and now).
    package func remember(ids newIDs: [String: Int64]) throws {
        guard newIDs != ids else { return }
        ids = newIDs
        try saveSnapshot()
    }

    /// Notes that the daemon is running at `now` (or, with `stopped`, that it stopped cleanly).
    package func markAlive(_ now: Date, stopped: Bool = false) throws {
        let digits = String(now.unixMilliseconds)
        let line = (stopped ? "stopped " : "alive   ") + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + "\n"
        try Files.write(aliveFD, Array(line.utf8), at: 0, label: alivePath)
        if stopped { try Files.sync(aliveFD, label: alivePath) }
    }

    // MARK: - Files

    private func saveSnapshot() throws {
        var json = JSONBuffer(capacity: 64 + ids.count * 48)
        json.raw("{\"ids\":{")
        for (index, (domain, id)) in ids.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { json.raw(",") }
            json.string(domain)
            json.raw(":")
            json.integer(id)
        }
        json.raw("},\"down_since\":{")
        for (index, (domain, since)) in downSince.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { json.raw(",") }
            json.string(domain)
            json.raw(":")
            json.integer(since.unixMilliseconds)
        }
        json.raw("}}\n")
        try Files.replace(snapshotPath, with: json.bytes, directory: directory)
    }

    private func rewriteJournal(_ changes: [(sequence: UInt64, change: StateChange)]) throws {
        let bytes = changes.flatMap { JournalRecord.encode(sequence: $0.sequence, $0.change) }
        try Files.replace(journalPath, with: bytes, directory: directory)
        journalFD = try Files.open(journalPath, O_WRONLY | O_CREAT | O_APPEND)
    }

    private static func apply(_ change: StateChange, to downSince: inout [String: Date]) {
        switch change {
        case .opened(let domain, _, let since, _): downSince[domain] = downSince[domain] ?? since
        case .closed(let domain, _): downSince[domain] = nil
        default: break
        }
    }

    private static func readSnapshot(_ path: String) throws -> (ids: [String: Int64], downSince: [String: Date]) {
        guard let bytes = try Files.read(path), !bytes.isEmpty,
              let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { return ([:], [:]) }
        var ids: [String: Int64] = [:]
        for case let (domain, value as NSNumber) in object["ids"] as? [String: Any] ?? [:] { ids[domain] = value.int64Value }
        var down: [String: Date] = [:]
        for case let (domain, value as NSNumber) in object["down_since"] as? [String: Any] ?? [:] {
            down[domain] = Date(unixMilliseconds: value.int64Value)
        }
        return (ids, down)
    }

    private static func readJournal(_ path: String) throws -> ([(sequence: UInt64, change: StateChange)], [String]) {
        guard let bytes = try Files.read(path) else { return ([], []) }
        var changes: [(sequence: UInt64, change: StateChange)] = []
        var problems: [String] = []
        var start = 0
        var lineNumber = 0
        while start < bytes.count {
            lineNumber += 1
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n"))
            let line = bytes[start..<(end ?? bytes.count)]
            if end == nil {
                problems.append("journal line \(lineNumber): torn record (\(line.count) bytes without an end), skipped")
            } else {
                do {
                    changes.append(try JournalRecord.decode(line))
                } catch {
                    problems.append("journal line \(lineNumber): \(error), skipped")
                }
            }
            start = (end ?? bytes.count) + 1
        }
        return (changes, problems)
    }

    private static func readAlive(_ path: String) throws -> (at: Date, stoppedCleanly: Bool)? {
        guard let bytes = try Files.read(path) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let milliseconds = Int64(parts[1]) else { return nil }
        return (Date(unixMilliseconds: milliseconds), parts[0] == "stopped")
    }
}
