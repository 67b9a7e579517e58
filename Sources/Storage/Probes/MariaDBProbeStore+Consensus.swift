// The probes' consensus in the database: the ongoing incidents, and the one transaction that settles a host —
// it re-reads every probe's view of it under lock, lets the caller decide, and opens or closes the incident with
// its webhook in the outbox. The unique index on the ongoing incident keeps it to one whatever the races (a
// second probe's INSERT is refused; on Galera, its commit fails certification and the re-run sees the first).
import Consensus
import Foundation

/// What settling a host did.
package enum Settlement: Equatable, Sendable {
    case opened(incidentID: Int64, downDetection: Date, description: String)
    case closed(incidentID: Int64, upDetection: Date)
    case unchanged
}

/// What the caller decided from the views read under lock.
package enum SettleDecision: Equatable, Sendable {
    case open(downDetection: Date, description: String)
    case close(upDetection: Date)
    case keep
}

/// A check's ongoing incident, as the consensus reads it.
package struct OngoingSummary: Equatable, Sendable {
    package var id: Int64
    package var downDetection: Date
    package var description: String

    package init(id: Int64, downDetection: Date, description: String) {
        self.id = id
        self.downDetection = downDetection
        self.description = description
    }
}

extension MariaDBProbeStore {
    /// Every check's ongoing incident, by check id.
    package func ongoingIncidents() throws -> [Int64: OngoingSummary] {
        var byCheck: [Int64: OngoingSummary] = [:]
        for row in try connection.query(
            "SELECT check_id, id, down_detection, description FROM incidents WHERE up_detection IS NULL",
            columns: [.int, .int, .date, .text]) {
            guard row.count == 4, let check = row[0].int, let id = row[1].int, let down = row[2].date else { continue }
            byCheck[check] = OngoingSummary(id: id, downDetection: down, description: row[3].text ?? "")
        }
        return byCheck
    }

    /// When the incident `id` was closed, if it was.
    package func upDetection(incidentID id: Int64) throws -> Date? {
        try connection.query("SELECT up_detection FROM incidents WHERE id = ?", [.int(id)], columns: [.date]).first?.first?.date
    }

    /// In one transaction: the live probes' views of the check and its ongoing incident, read under lock; then
    /// `decide`'s open or close, with the webhook's row in the outbox. A concurrent opening by another probe is
    /// not an error: nothing is done, and the next reading shows that probe's incident.
    package func settle(checkID: Int64,
                        decide: ([StoredView], OngoingSummary?) -> SettleDecision) throws -> Settlement {
        do {
            return try connection.transaction {
                let views = try connection.query(
                    "SELECT o.probe, o.is_down, o.since, o.last_performed, o.cause, \(Self.liveSQL) FROM observations o"
                        + " JOIN probes p ON p.name = o.probe WHERE o.check_id = ? ORDER BY o.probe FOR UPDATE",
                    [.int(checkID)], columns: [.text, .int, .date, .date, .text, .int]
                ).compactMap { row -> StoredView? in
                    guard row.count == 6, let probe = row[0].text, let since = row[2].date else { return nil }
                    return StoredView(view: ProbeView(probe: probe, isDown: row[1].int == 1, since: since,
                                                      lastPerformed: row[3].date, cause: row[4].text),
                                      live: row[5].int == 1)
                }
                let ongoing = try connection.query(
                    "SELECT id, down_detection, description FROM incidents WHERE check_id = ? AND up_detection IS NULL FOR UPDATE",
                    [.int(checkID)], columns: [.int, .date, .text]
                ).first.flatMap { row -> OngoingSummary? in
                    guard row.count == 3, let id = row[0].int, let down = row[1].date else { return nil }
                    return OngoingSummary(id: id, downDetection: down, description: row[2].text ?? "")
                }
                switch decide(views, ongoing) {
                case .open(let downDetection, let description):
                    guard ongoing == nil else { return .unchanged }
                    let text = String(description.prefix(1024))
                    let id = Int64(try connection.execute(
                        "INSERT INTO incidents (check_id, description, down_detection) VALUES (?, ?, ?)",
                        [.int(checkID), .text(text), .date(downDetection)]).insertID)
                    try enqueue(incidentID: id, event: "opened")
                    return .opened(incidentID: id, downDetection: downDetection, description: text)
                case .close(let upDetection):
                    guard let ongoing else { return .unchanged }
                    let up = max(upDetection, ongoing.downDetection)
                    try connection.execute("UPDATE incidents SET up_detection = ? WHERE id = ? AND up_detection IS NULL",
                                           [.date(up), .int(ongoing.id)])
                    try enqueue(incidentID: ongoing.id, event: "closed")
                    return .closed(incidentID: ongoing.id, upDetection: up)
                case .keep:
                    return .unchanged
                }
            }
        } catch is DuplicateKeyError {
            return .unchanged
        }
    }

    private func enqueue(incidentID: Int64, event: String) throws {
        try connection.execute(
            "INSERT IGNORE INTO notification_outbox (incident_id, event, created_at) VALUES (?, ?, NOW(3))",
            [.int(incidentID), .text(event)])
    }
}
