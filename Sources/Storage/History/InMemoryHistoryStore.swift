// The history store in memory, with MariaDB's rules (the fuller row wins on a key written twice): for unit tests.
import Foundation
import Synchronization

package final class InMemoryHistoryStore: HistoryStore, Sendable {
    private struct Key: Hashable {
        var checkID: Int64
        var resolution: Int64
        var stepStart: Int64
        var run: Int64
    }

    private struct Tables {
        var ids: [String: Int64] = [:]
        var rows: [Key: HistoryRow] = [:]
        var progress: [Int64: Int64] = [:]
    }

    private let tables = Mutex(Tables())
    /// When set, every call fails as if the database were down.
    package let unavailable = Atomic<Bool>(false)
    /// How many times `historyProgress` was asked, for tests.
    package let progressReads = Atomic<Int>(0)

    package init() {}

    private func check() throws {
        if unavailable.load(ordering: .relaxed) { throw StoreError.unavailable("in-memory store set unavailable") }
    }

    package func migrate() throws { try check() }

    package func checkIDs(domains: [String]) throws -> [String: Int64] {
        try check()
        return tables.withLock { tables in
            var result: [String: Int64] = [:]
            for domain in domains {
                if tables.ids[domain] == nil { tables.ids[domain] = Int64(tables.ids.count + 1) }
                result[domain] = tables.ids[domain]
            }
            return result
        }
    }

    package func allCheckIDs() throws -> [Int64] {
        try check()
        return tables.withLock { $0.ids.values.sorted() }
    }

    package func statements(forRows rows: Int) -> Int { rows > 0 ? 1 : 0 }

    package func writeHistory(_ rows: [HistoryRow]) throws {
        try check()
        tables.withLock { tables in
            for row in rows {
                let key = Key(checkID: row.checkID, resolution: row.resolution, stepStart: row.stepStart, run: row.run)
                if let existing = tables.rows[key], existing.sent > row.sent { continue }
                tables.rows[key] = row
            }
        }
    }

    package func historyRows(checkIDs: [Int64], resolution: Int64, from: Int64, until: Int64) throws -> [HistoryRow] {
        try check()
        let wanted = Set(checkIDs)
        return tables.withLock { tables in
            tables.rows.values.filter {
                wanted.contains($0.checkID) && $0.resolution == resolution && $0.stepStart >= from && $0.stepStart < until
            }.sorted { ($0.checkID, $0.stepStart, $0.run) < ($1.checkID, $1.stepStart, $1.run) }
        }
    }

    package func deleteHistory(checkIDs: [Int64], resolution: Int64, before: Int64) throws -> Int {
        try check()
        let wanted = Set(checkIDs)
        return tables.withLock { tables in
            let doomed = tables.rows.keys.filter { wanted.contains($0.checkID) && $0.resolution == resolution && $0.stepStart < before }
            for key in doomed { tables.rows[key] = nil }
            return doomed.count
        }
    }

    package func historyProgress() throws -> [Int64: Int64] {
        try check()
        progressReads.add(1, ordering: .relaxed)
        return tables.withLock { $0.progress }
    }

    package func setHistoryProgress(resolution: Int64, mergedThrough: Int64) throws {
        try check()
        tables.withLock { $0.progress[resolution] = mergedThrough }
    }

    /// Every row, for tests.
    package var allRows: [HistoryRow] {
        tables.withLock { Array($0.rows.values) }
    }
}
