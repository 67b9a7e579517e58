// The notification outbox: a probe claims the webhooks no live probe is sending (rows never claimed, or whose
// 30 s lease ran out because their probe died or lost the database), renews the lease of those it is still
// sending, and marks each sent once every URL has it.
import Foundation

/// One webhook to send: the incident as the database has it.
package struct OutboxItem: Equatable, Sendable {
    package var id: Int64
    package var opened: Bool
    package var incidentID: Int64
    package var checkID: Int64
    package var domain: String
    package var description: String
    package var downDetection: Date
    package var upDetection: Date?
}

extension MariaDBProbeStore {
    /// How long a claim holds before another probe may take the row over.
    package static let leaseSeconds = 30

    /// Claims up to `limit` rows for `probe` and returns every row it holds and has not sent, oldest first.
    package func claimOutbox(probe: String, limit: Int = 20) throws -> [OutboxItem] {
        try connection.execute(
            "UPDATE notification_outbox SET claimed_by = ?, claimed_until = NOW(3) + INTERVAL \(Self.leaseSeconds) SECOND,"
                + " attempts = attempts + 1 WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < NOW(3))"
                + " ORDER BY id LIMIT \(limit)",
            [.text(probe)])
        return try connection.query(
            "SELECT o.id, o.event, i.id, i.check_id, c.domain, i.description, i.down_detection, i.up_detection"
                + " FROM notification_outbox o JOIN incidents i ON i.id = o.incident_id JOIN checks c ON c.id = i.check_id"
                + " WHERE o.claimed_by = ? AND o.sent_at IS NULL AND o.claimed_until >= NOW(3) ORDER BY o.id",
            [.text(probe)], columns: [.int, .text, .int, .int, .text, .text, .date, .date]
        ).compactMap { row in
            guard row.count == 8, let id = row[0].int, let event = row[1].text, let incident = row[2].int,
                  let check = row[3].int, let domain = row[4].text, let down = row[6].date else { return nil }
            return OutboxItem(id: id, opened: event == "opened", incidentID: incident, checkID: check, domain: domain,
                              description: row[5].text ?? "", downDetection: down, upDetection: row[7].date)
        }
    }

    /// Keeps `probe`'s claim on rows it is still sending.
    package func renewClaims(probe: String, ids: [Int64]) throws {
        guard !ids.isEmpty else { return }
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        try connection.execute(
            "UPDATE notification_outbox SET claimed_until = NOW(3) + INTERVAL \(Self.leaseSeconds) SECOND"
                + " WHERE claimed_by = ? AND sent_at IS NULL AND id IN (\(marks))",
            [.text(probe)] + ids.map { .int($0) })
    }

    /// The row's webhook went out (or was given up): no probe sends it again.
    package func markSent(id: Int64) throws {
        try connection.execute("UPDATE notification_outbox SET sent_at = NOW(3) WHERE id = ?", [.int(id)])
    }
}
