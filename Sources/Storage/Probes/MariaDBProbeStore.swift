// The probes table and the observations over MariaDB, on a connection of their own (the probe coordinator's
// queue): a probe's heartbeat, its observations of the hosts it watches (a few multi-row upserts), and every
// probe's rows with their liveness by the database's clock, so probes' clocks need not agree.
import Consensus
import Foundation

package final class MariaDBProbeStore {
    let connection: MariaDBConnection
    /// Observations per upsert: ten values each, well under MariaDB's 65,535 placeholders.
    static let observationBatch = 1000

    package init(configuration: DatabaseConfiguration) {
        connection = MariaDBConnection(configuration: configuration)
    }

    package func migrate() throws { try MariaDBSchema.migrate(connection) }

    /// Where the connection goes, for logs.
    package var server: String { connection.serverDescription }

    /// Says this probe is alive (and creates its row the first time).
    package func heartbeat(name: String, version: String, intervalMilliseconds: Int64, hosts: Int) throws {
        try connection.execute(reusing:
            "INSERT INTO probes (name, first_seen, last_seen, version, interval_ms, hosts) VALUES (?, NOW(3), NOW(3), ?, ?, ?)"
                + " ON DUPLICATE KEY UPDATE last_seen = NOW(3), version = VALUES(version),"
                + " interval_ms = VALUES(interval_ms), hosts = VALUES(hosts)",
            [.text(name), .text(version), .int(intervalMilliseconds), .int(Int64(hosts))])
    }

    /// Writes (or replaces) this probe's views, with the heartbeat, in one transaction.
    package func write(probe: String, version: String, intervalMilliseconds: Int64, hosts: Int,
                       observations: [Observation]) throws {
        try connection.transaction(if: !observations.isEmpty) {
            try heartbeat(name: probe, version: version, intervalMilliseconds: intervalMilliseconds, hosts: hosts)
            try connection.inBatches(observations, of: Self.observationBatch) { batch in
                var parameters: [SQLValue] = []
                parameters.reserveCapacity(batch.count * 10)
                for item in batch {
                    let view = item.view
                    parameters.append(.int(item.checkID))
                    parameters.append(.text(probe))
                    parameters.append(.int(view.isDown ? 1 : 0))
                    parameters.append(.date(view.since))
                    parameters.append(view.lastPerformed.map { .date($0) } ?? .null)
                    parameters.append(view.rttMilliseconds.map { .int(Int64(($0 * 1000).rounded())) } ?? .null)
                    parameters.append(view.lossPercent.map { .int(Int64(($0 * 1000).rounded())) } ?? .null)
                    parameters.append(view.cause.map { .text(String($0.prefix(255))) } ?? .null)
                    parameters.append(view.outage.map { .text($0.rawValue) } ?? .null)
                    parameters.append(view.behind.map { .text(String($0.prefix(255))) } ?? .null)
                }
                let rows = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NOW(3))", count: batch.count).joined(separator: ", ")
                try connection.execute(
                    "INSERT INTO observations (check_id, probe, is_down, since, last_performed, rtt_us, loss_mpct, cause,"
                        + " outage, behind, updated_at) VALUES " + rows
                        + " ON DUPLICATE KEY UPDATE is_down = VALUES(is_down), since = VALUES(since),"
                        + " last_performed = VALUES(last_performed), rtt_us = VALUES(rtt_us),"
                        + " loss_mpct = VALUES(loss_mpct), cause = VALUES(cause), outage = VALUES(outage),"
                        + " behind = VALUES(behind), updated_at = VALUES(updated_at)",
                    parameters)
            }
        }
    }

    /// This probe no longer watches these checks (a reload removed them): its views of them leave the quorum.
    package func forget(probe: String, checkIDs: [Int64]) throws {
        try connection.inBatches(checkIDs, of: Self.observationBatch) { batch in
            let marks = Array(repeating: "?", count: batch.count).joined(separator: ", ")
            try connection.execute("DELETE FROM observations WHERE probe = ? AND check_id IN (\(marks))",
                                   [.text(probe)] + batch.map { .int($0) })
        }
    }

    /// Takes every view of `probe` away: at its start (what it saw before is stale) and when it stops.
    package func forgetAll(probe: String) throws {
        try connection.execute("DELETE FROM observations WHERE probe = ?", [.text(probe)])
    }

    /// Marks the probe as gone at once (a stop), instead of after its liveness bound: its last_seen moves back.
    package func leave(probe: String) throws {
        try connection.transaction {
            try forgetAll(probe: probe)
            try connection.execute(
                "UPDATE probes SET last_seen = NOW(3) - INTERVAL (3 * interval_ms + 10001) * 1000 MICROSECOND WHERE name = ?",
                [.text(probe)])
        }
    }

    /// Live: written within 3 × its interval + 10 s, less the second between two readings, so that a probe that
    /// stopped is out of every quorum and of /status/probes within its bound, not a reading later.
    static let liveSQL = "p.last_seen >= NOW(3) - INTERVAL (3 * p.interval_ms + 9000) * 1000 MICROSECOND"

    /// Every probe, by name.
    package func probes() throws -> [ProbeRecord] {
        try connection.query(reusing:
            "SELECT p.name, p.first_seen, p.last_seen, p.version, p.interval_ms, p.hosts, \(Self.liveSQL)"
                + " FROM probes p ORDER BY p.name",
            columns: [.text, .date, .date, .text, .int, .int, .int]
        ).compactMap { row in
            guard row.count == 7, let name = row[0].text, let first = row[1].date, let last = row[2].date else { return nil }
            return ProbeRecord(name: name, firstSeen: first, lastSeen: last, version: row[3].text ?? "",
                               intervalMilliseconds: row[4].int ?? 0, hosts: row[5].int ?? 0, live: row[6].int == 1)
        }
    }

    /// Every probe's views, with whether that probe is live, by check id.
    package func observations() throws -> [Int64: [StoredView]] {
        let rows = try connection.query(
            "SELECT o.check_id, o.probe, o.is_down, o.since, o.last_performed, o.rtt_us, o.loss_mpct, o.cause,"
                + " o.outage, o.behind, \(Self.liveSQL) FROM observations o JOIN probes p ON p.name = o.probe"
                + " ORDER BY o.check_id, o.probe",
            columns: [.int, .text, .int, .date, .date, .int, .int, .text, .text, .text, .int])
        var byCheck: [Int64: [StoredView]] = [:]
        for row in rows {
            guard row.count == 11, let id = row[0].int, let probe = row[1].text, let since = row[3].date else { continue }
            let isDown = row[2].int == 1
            let view = ProbeView(probe: probe, isDown: isDown, since: since, lastPerformed: row[4].date,
                                 rttMilliseconds: row[5].int.map { Double($0) / 1000 },
                                 lossPercent: row[6].int.map { Double($0) / 1000 }, cause: row[7].text,
                                 outage: Self.outage(row[8].text, isDown: isDown), behind: row[9].text)
            byCheck[id, default: []].append(StoredView(view: view, live: row[10].int == 1))
        }
        return byCheck
    }

    /// A stored view's kind of outage: a down view of an older probe (no column yet) is its own outage.
    static func outage(_ text: String?, isDown: Bool) -> Outage? {
        guard isDown else { return nil }
        return text.flatMap(Outage.init(rawValue:)) ?? .own
    }
}
