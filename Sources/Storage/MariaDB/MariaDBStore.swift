// The Store over MariaDB: every query a prepared statement, one transaction per method, and a connection
// that is opened lazily and again after it broke. Not Sendable: StoreWriter uses it on the store's queue only.
import Foundation
import Logging

package final class MariaDBStore: Store {
    private let connection: MariaDBConnection
    private let logger: Logger
    /// The column is VARCHAR(1024); longer descriptions are cut, never refused.
    private static let descriptionLimit = 1024
    /// Checks per batched UPDATE, which stays prepared: 10,000 hosts take five executions. A statement binds three
    /// values per check, and libmariadb keeps a 112-byte MYSQL_BIND for each besides ours: 5,000 checks would
    /// take 3.4 MB while they are written, 2,000 take 1.3.
    static let updateBatchSize = 2000

    /// Does not connect yet: the first call does, and any call after the connection broke.
    package init(configuration: DatabaseConfiguration, logger: Logger) {
        self.connection = MariaDBConnection(configuration: configuration)
        self.logger = logger
    }

    package func migrate() throws {
        try MariaDBSchema.migrate(connection)
    }

    package func registerChecks(domains: [String]) throws -> [Check] {
        try connection.transaction {
            for domain in domains {
                try connection.execute("INSERT IGNORE INTO checks (domain) VALUES (?)", [.text(domain)])
            }
            var byDomain: [String: Check] = [:]
            let rows = try connection.query("SELECT id, domain, last_performed, status FROM checks",
                                            columns: [.int, .text, .date, .int])
            for row in rows {
                guard row.count == 4, let id = row[0].int, let domain = row[1].text else { continue }
                byDomain[domain] = Check(id: id, domain: domain, lastPerformed: row[2].date, status: row[3].int != 0)
            }
            return try domains.map { domain in
                guard let check = byDomain[domain] else { throw StoreError.failed("check \(domain) was not stored") }
                return check
            }
        }
    }

    /// One statement for one check; for many, one UPDATE joined with a derived table of their values per
    /// `updateBatchSize` checks (three placeholders each, well under MariaDB's 65,535). More than one statement
    /// run in one transaction; a single one is a transaction of its own (autocommit), with no extra round trips.
    /// A full batch's statement stays prepared on the connection: the next runs only execute it.
    package func updateChecks(_ updates: [CheckUpdate]) throws {
        if updates.count == 1, let update = updates.first {
            try connection.execute("UPDATE checks SET last_performed = ?, status = ? WHERE id = ?",
                                   [.date(update.lastPerformed), .int(update.status ? 1 : 0), .int(update.id)])
            return
        }
        try connection.inBatches(updates, of: Self.updateBatchSize) { batch in
            var parameters: [SQLValue] = []
            parameters.reserveCapacity(batch.count * 3)
            for update in batch {
                parameters.append(.int(update.id))
                parameters.append(.date(update.lastPerformed))
                parameters.append(.int(update.status ? 1 : 0))
            }
            // A full batch is the same statement every time, and so, most of the time, is the batch a daemon writes
            // every few seconds (the same hosts ping in each): kept prepared, it is one round trip instead of three
            // (prepare, execute, close). The connection keeps the most recently used few.
            if batch.count == Self.updateBatchSize {
                try connection.execute(reusing: Self.fullBatchSQL, parameters)
            } else {
                try connection.execute(reusing: Self.batchSQL(rows: batch.count), parameters)
            }
        }
    }

    /// The batched UPDATE of `rows` checks: the checks joined with a derived table of their ids, times and statuses.
    private static func batchSQL(rows: Int) -> String {
        let values = ["SELECT ? AS id, CAST(? AS DATETIME(3)) AS last_performed, ? AS status"]
            + Array(repeating: "SELECT ?, ?, ?", count: rows - 1)
        return "UPDATE checks JOIN (" + values.joined(separator: " UNION ALL ") + ") AS latest ON checks.id = latest.id "
            + "SET checks.last_performed = latest.last_performed, checks.status = latest.status"
    }

    private static let fullBatchSQL = batchSQL(rows: updateBatchSize)

    /// In one transaction: the incident with this start if there is one; else a new row. When another connection
    /// opened an incident for the check meanwhile, the unique index on the ongoing incident refuses ours: if that
    /// one has the same start, it is the same incident and is returned; else the check has another ongoing one.
    package func openIncident(checkID: Int64, description: String, downDetection: Date, parentIncidentID: Int64?,
                              maintenance: Bool) throws -> Incident {
        let text = String(description.prefix(Self.descriptionLimit))
        return try connection.transaction {
            if let same = try selectIncidents(where: "check_id = ? AND down_detection = ?", checkID, .date(downDetection)).first {
                return same
            }
            do {
                let result = try connection.execute(
                    "INSERT INTO incidents (check_id, description, down_detection, parent_incident_id, maintenance) "
                        + "VALUES (?, ?, ?, ?, ?)",
                    [.int(checkID), .text(text), .date(downDetection), parentIncidentID.map { .int($0) } ?? .null,
                     .int(maintenance ? 1 : 0)])
                return Incident(id: Int64(result.insertID), checkID: checkID, description: text,
                                downDetection: downDetection, upDetection: nil, parentIncidentID: parentIncidentID,
                                maintenance: maintenance)
            } catch is DuplicateKeyError {
                // A locking read sees the row the other connection committed, whatever this transaction saw before.
                if let same = try selectIncidents(where: "check_id = ? AND down_detection = ? LOCK IN SHARE MODE",
                                                  checkID, .date(downDetection)).first {
                    return same
                }
                throw StoreError.ongoingIncidentExists(checkID: checkID)
            }
        }
    }

    package func closeIncident(checkID: Int64, upDetection: Date) throws -> Incident? {
        try connection.transaction {
            guard var incident = try selectIncidents(where: "ongoing_check_id = ? AND down_detection <= ? FOR UPDATE",
                                                     checkID, .date(upDetection)).first else {
                return nil
            }
            try connection.execute("UPDATE incidents SET up_detection = ? WHERE id = ?",
                                   [.date(upDetection), .int(incident.id)])
            incident.upDetection = upDetection
            return incident
        }
    }

    package func describeOngoingIncident(checkID: Int64, description: String) throws {
        try connection.execute("UPDATE incidents SET description = ? WHERE ongoing_check_id = ?",
                               [.text(String(description.prefix(Self.descriptionLimit))), .int(checkID)])
    }

    package func classifyOngoingIncident(checkID: Int64, description: String, parentIncidentID: Int64?,
                                         maintenance: Bool) throws {
        try connection.execute(
            "UPDATE incidents SET description = ?, parent_incident_id = ?, maintenance = ? WHERE ongoing_check_id = ?",
            [.text(String(description.prefix(Self.descriptionLimit))), parentIncidentID.map { .int($0) } ?? .null,
             .int(maintenance ? 1 : 0), .int(checkID)])
    }

    package func incidentID(checkID: Int64, downDetection: Date) throws -> Int64? {
        try connection.query("SELECT id FROM incidents WHERE check_id = ? AND down_detection = ?",
                             [.int(checkID), .date(downDetection)], columns: [.int]).first?.first?.int
    }

    package func ongoingIncident(checkID: Int64) throws -> Incident? {
        try selectIncidents(where: "ongoing_check_id = ?", checkID).first
    }

    package func incidents(checkID: Int64, filter: IncidentFilter) throws -> [Incident] {
        var condition = "check_id = ?"
        var parameters: [SQLValue] = []
        if let since = filter.since {
            condition += " AND (up_detection IS NULL OR up_detection >= ?)"
            parameters.append(.date(since))
        }
        if let until = filter.until {
            condition += " AND down_detection <= ?"
            parameters.append(.date(until))
        }
        condition += " ORDER BY down_detection DESC, id DESC"
        if let limit = filter.limit {
            condition += " LIMIT ?"
            parameters.append(.int(Int64(limit)))
        }
        return try selectIncidents(where: condition, checkID, parameters)
    }

    package func history(since: Date) throws -> StoredHistory {
        try connection.transaction {
            var watchedSince: [Int64: Date] = [:]
            for row in try connection.query("SELECT id, created_at FROM checks", columns: [.int, .date]) {
                guard row.count == 2, let id = row[0].int, let created = row[1].date else { continue }
                watchedSince[id] = created
            }
            let rows = try connection.query(
                "SELECT " + Self.incidentColumns + " FROM incidents "
                    + "WHERE up_detection IS NULL OR up_detection >= ?",
                [.date(since)], columns: Self.incidentTypes)
            let incidents = rows.compactMap(Self.incident)
            let gaps = try connection.query(
                "SELECT gap_from, gap_until, reason FROM monitor_gaps WHERE gap_until >= ? ORDER BY gap_from",
                [.date(since)], columns: [.date, .date, .text]).compactMap(Self.gap)
            return StoredHistory(watchedSince: watchedSince, incidents: incidents, gaps: gaps)
        }
    }

    package func recordGap(from: Date, until: Date, reason: String) throws {
        try connection.execute("INSERT IGNORE INTO monitor_gaps (gap_from, gap_until, reason) VALUES (?, ?, ?)",
                               [.date(from), .date(until), .text(reason)])
    }

    package func gaps() throws -> [MonitorGap] {
        try connection.query("SELECT gap_from, gap_until, reason FROM monitor_gaps ORDER BY gap_from", columns: [.date, .date, .text])
            .compactMap(Self.gap)
    }

    private func selectIncidents(where condition: String, _ checkID: Int64, _ more: SQLValue...) throws -> [Incident] {
        try selectIncidents(where: condition, checkID, more)
    }

    private func selectIncidents(where condition: String, _ checkID: Int64, _ more: [SQLValue]) throws -> [Incident] {
        try connection.query(
            "SELECT " + Self.incidentColumns + " FROM incidents WHERE " + condition,
            [.int(checkID)] + more, columns: Self.incidentTypes).compactMap(Self.incident)
    }

    private static let incidentColumns = "id, check_id, description, down_detection, up_detection, parent_incident_id, maintenance"
    private static let incidentTypes: [SQLColumn] = [.int, .int, .text, .date, .date, .int, .int]

    /// A row of `incidentColumns`.
    private static func incident(_ row: [SQLValue]) -> Incident? {
        guard row.count == 7, let id = row[0].int, let check = row[1].int, let text = row[2].text,
              let down = row[3].date else { return nil }
        return Incident(id: id, checkID: check, description: text, downDetection: down, upDetection: row[4].date,
                        parentIncidentID: row[5].int, maintenance: (row[6].int ?? 0) != 0)
    }

    /// A row of (gap_from, gap_until, reason).
    private static func gap(_ row: [SQLValue]) -> MonitorGap? {
        guard row.count == 3, let from = row[0].date, let until = row[1].date, let reason = row[2].text else { return nil }
        return MonitorGap(from: from, until: until, reason: reason)
    }
}
