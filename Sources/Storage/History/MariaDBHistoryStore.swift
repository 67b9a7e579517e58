// The history store over MariaDB, on a connection of its own (so history never waits behind incidents, nor they
// behind it). A step's rows go in one bulk execution (MariaDB's array binding: the six columns bound as arrays,
// up to `bulkSize` rows), or, against a server without it (MySQL), in multi-row INSERTs of `batchSize` rows; all
// of a call in one transaction. Reads and deletes name their checks, so each uses the primary key (check,
// resolution, step, run) as a range, with a statement that stays prepared (one text serves every level and every
// full batch of checks).
import Foundation
import Logging

package final class MariaDBHistoryStore: HistoryStore {
    private let connection: MariaDBConnection
    /// Rows per bulk execution: four for a step of 10,000 hosts. Its packet (about 330 KB) is built whole in
    /// libmariadb and its buffer kept by the connection, so a larger one raises the daemon's peak memory: a
    /// 10,000-row execution added a megabyte and a half at 10,000 hosts.
    static let bulkSize = 2_500
    /// Rows per multi-row INSERT, without bulk executions: a bound parameter is a 112-byte MYSQL_BIND and a buffer
    /// of its own, six a row.
    static let batchSize = 2000
    /// Checks named per SELECT or DELETE.
    static let checksPerStatement = 500

    /// The full batch's SQL, built once.
    static let fullBatchSQL = insertSQL(rows: batchSize)

    /// `rows` rows' INSERT; a key that exists keeps the row that counts more pings.
    static func insertSQL(rows: Int) -> String {
        "INSERT INTO history (check_id, resolution, step_start, run, sent, rollup) VALUES "
            + Array(repeating: "(?, ?, ?, ?, ?, ?)", count: rows).joined(separator: ", ") + upsert
    }

    /// Writes with multi-row INSERTs even where bulk executions work (tests of that path).
    let forceMultiRow: Bool

    /// Does not connect yet: the first call does, and any call after the connection broke.
    package init(configuration: DatabaseConfiguration, forceMultiRow: Bool = false) {
        connection = MariaDBConnection(configuration: configuration)
        self.forceMultiRow = forceMultiRow
    }

    package func migrate() throws {
        try MariaDBSchema.migrate(connection)
    }

    package func checkIDs(domains: [String]) throws -> [String: Int64] {
        var ids: [String: Int64] = [:]
        try connection.transaction {
            var start = 0
            while start < domains.count {
                let batch = Array(domains[start..<min(start + Self.checksPerStatement, domains.count)])
                start += batch.count
                let values = Array(repeating: "(?)", count: batch.count).joined(separator: ", ")
                try connection.execute("INSERT IGNORE INTO checks (domain) VALUES " + values, batch.map { .text($0) })
                let marks = Array(repeating: "?", count: batch.count).joined(separator: ", ")
                for row in try connection.query("SELECT id, domain FROM checks WHERE domain IN (\(marks))",
                                                batch.map { .text($0) }, columns: [.int, .text]) {
                    if row.count == 2, let id = row[0].int, let domain = row[1].text { ids[domain] = id }
                }
            }
        }
        return ids
    }

    package func allCheckIDs() throws -> [Int64] {
        try connection.query(reusing: "SELECT id FROM checks ORDER BY id", columns: [.int]).compactMap { $0.first?.int }
    }

    /// `rollup` is assigned before `sent`, so it compares with the stored count, not the new one.
    static let upsert = " ON DUPLICATE KEY UPDATE rollup = IF(VALUES(sent) >= sent, VALUES(rollup), rollup),"
        + " sent = GREATEST(sent, VALUES(sent))"
    static let bulkSQL = "INSERT INTO history (check_id, resolution, step_start, run, sent, rollup)"
        + " VALUES (?, ?, ?, ?, ?, ?)" + upsert

    /// Whether the last write could use a bulk execution (the server is asked at each write: a reconnection may
    /// reach another).
    private var bulk = true

    package func writeHistory(_ rows: [HistoryRow]) throws {
        guard !rows.isEmpty else { return }
        if !forceMultiRow, try connection.supportsBulk() {
            bulk = true
            try writeBulk(rows)
        } else {
            bulk = false
            try writeMultiRow(rows)
        }
    }

    package func statements(forRows rows: Int) -> Int {
        let size = bulk && !forceMultiRow ? Self.bulkSize : Self.batchSize
        return (rows + size - 1) / size
    }

    /// Bulk executions of up to `bulkSize` rows: six bound columns, whatever the number of rows.
    private func writeBulk(_ rows: [HistoryRow]) throws {
        try connection.inBatches(rows, of: Self.bulkSize) { batch in
            try connection.executeBulk(Self.bulkSQL, [
                .ints(batch.map(\.checkID)), .ints(batch.map(\.resolution)), .ints(batch.map(\.stepStart)),
                .ints(batch.map(\.run)), .ints(batch.map { Int64($0.sent) }), .bytes(batch.map(\.rollup)),
            ], rows: batch.count)
        }
    }

    /// Multi-row INSERTs of `batchSize` rows, for a server without bulk executions (MySQL).
    private func writeMultiRow(_ rows: [HistoryRow]) throws {
        try connection.inBatches(rows, of: Self.batchSize) { batch in
            var parameters: [SQLValue] = []
            parameters.reserveCapacity(batch.count * 6)
            for row in batch {
                parameters.append(.int(row.checkID))
                parameters.append(.int(row.resolution))
                parameters.append(.int(row.stepStart))
                parameters.append(.int(row.run))
                parameters.append(.int(Int64(row.sent)))
                parameters.append(.bytes(row.rollup))
            }
            try connection.execute(batch.count == Self.batchSize ? Self.fullBatchSQL : Self.insertSQL(rows: batch.count),
                                   parameters)
        }
    }

    package func historyRows(checkIDs: [Int64], resolution: Int64, from: Int64, until: Int64) throws -> [HistoryRow] {
        var rows: [HistoryRow] = []
        var start = 0
        while start < checkIDs.count {
            let batch = checkIDs[start..<min(start + Self.checksPerStatement, checkIDs.count)]
            start += batch.count
            let marks = Array(repeating: "?", count: batch.count).joined(separator: ", ")
            let found = try connection.query(reusing:
                "SELECT check_id, step_start, run, sent, rollup FROM history WHERE check_id IN (\(marks))"
                    + " AND resolution = ? AND step_start >= ? AND step_start < ? ORDER BY check_id, step_start, run",
                batch.map { .int($0) } + [.int(resolution), .int(from), .int(until)],
                columns: [.int, .int, .int, .int, .bytes])
            for row in found {
                guard row.count == 5, let check = row[0].int, let step = row[1].int, let run = row[2].int,
                      let sent = row[3].int.flatMap(UInt32.init(exactly:)), let rollup = row[4].bytes else { continue }
                rows.append(HistoryRow(checkID: check, resolution: resolution, stepStart: step, run: run, sent: sent,
                                       rollup: rollup))
            }
        }
        return rows
    }

    package func deleteHistory(checkIDs: [Int64], resolution: Int64, before: Int64) throws -> Int {
        var deleted = 0
        var start = 0
        while start < checkIDs.count {
            let batch = checkIDs[start..<min(start + Self.checksPerStatement, checkIDs.count)]
            start += batch.count
            let marks = Array(repeating: "?", count: batch.count).joined(separator: ", ")
            deleted += Int(try connection.execute(reusing:
                "DELETE FROM history WHERE check_id IN (\(marks)) AND resolution = ? AND step_start < ?",
                batch.map { .int($0) } + [.int(resolution), .int(before)]).affectedRows)
        }
        return deleted
    }

    package func historyProgress() throws -> [Int64: Int64] {
        var progress: [Int64: Int64] = [:]
        for row in try connection.query(reusing: "SELECT resolution, merged_through FROM history_progress",
                                         columns: [.int, .int]) {
            if row.count == 2, let resolution = row[0].int, let through = row[1].int { progress[resolution] = through }
        }
        return progress
    }

    package func setHistoryProgress(resolution: Int64, mergedThrough: Int64) throws {
        try connection.execute(reusing:
            "INSERT INTO history_progress (resolution, merged_through) VALUES (?, ?)"
                + " ON DUPLICATE KEY UPDATE merged_through = VALUES(merged_through)",
            [.int(resolution), .int(mergedThrough)])
    }
}
