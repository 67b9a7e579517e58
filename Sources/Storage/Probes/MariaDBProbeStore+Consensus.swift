// The probes' consensus in the database: the ongoing incidents, and the one transaction that settles a host —
// it re-reads every probe's view of it under lock, lets the caller decide, and opens, reclassifies or closes the
// incident, with its webhook in the outbox when it is notified (not for a host behind a down ancestor or in a
// maintenance window, as on a lone daemon). The unique index on the ongoing incident keeps it to one whatever
// the races (a second probe's INSERT is refused; on Galera, its commit fails certification and the re-run sees
// the first).
import Consensus
import Foundation

/// What settling a host did.
package enum Settlement: Equatable, Sendable {
    case opened(incidentID: Int64, downDetection: Date, description: String, kind: IncidentKind)
    /// An unannounced incident became another kind: notified now if it is the host's own.
    case reclassified(incidentID: Int64, kind: IncidentKind)
    case closed(incidentID: Int64, upDetection: Date, announced: Bool)
    case unchanged
}

/// What the caller decided from the views read under lock.
package enum SettleDecision: Equatable, Sendable {
    case open(downDetection: Date, description: String, kind: IncidentKind)
    case reclassify(description: String, kind: IncidentKind)
    case close(upDetection: Date)
    case keep
}

/// A check's ongoing incident, as the consensus reads it.
package struct OngoingSummary: Equatable, Sendable {
    package var id: Int64
    package var downDetection: Date
    package var description: String
    /// Its opening was notified (for one probe's own incident: it is marked neither unreachable nor maintenance).
    package var announced: Bool
    /// It began inside a maintenance window (else, unannounced, it is behind a down ancestor).
    package var maintenance: Bool

    package init(id: Int64, downDetection: Date, description: String, announced: Bool = true, maintenance: Bool = false) {
        self.id = id
        self.downDetection = downDetection
        self.description = description
        self.announced = announced
        self.maintenance = maintenance
    }

    /// Whether an incident of this kind is not what this one is: an unannounced one becomes the host's own, or
    /// leaves its maintenance window behind a down ancestor. A notified one stays as it is.
    package func differs(from kind: IncidentKind) -> Bool {
        guard !announced else { return false }
        switch kind {
        case .own: return true
        case .unreachable: return maintenance
        case .maintenance: return false
        }
    }
}

extension MariaDBProbeStore {
    /// Every check's ongoing incident, by check id.
    package func ongoingIncidents() throws -> [Int64: OngoingSummary] {
        var byCheck: [Int64: OngoingSummary] = [:]
        for row in try connection.query(
            "SELECT check_id, \(Self.ongoingColumns) FROM incidents WHERE up_detection IS NULL",
            columns: [.int] + Self.ongoingTypes) {
            guard row.count == 6, let check = row[0].int, let summary = Self.summary(row.dropFirst()) else { continue }
            byCheck[check] = summary
        }
        return byCheck
    }

    private static let ongoingColumns = "id, down_detection, description,"
        + " COALESCE(announced, maintenance = 0 AND parent_incident_id IS NULL), maintenance"
    private static let ongoingTypes: [SQLColumn] = [.int, .date, .text, .int, .int]

    private static func summary(_ row: ArraySlice<SQLValue>) -> OngoingSummary? {
        let row = Array(row)
        guard row.count == 5, let id = row[0].int, let down = row[1].date else { return nil }
        return OngoingSummary(id: id, downDetection: down, description: row[2].text ?? "", announced: row[3].int != 0,
                              maintenance: row[4].int == 1)
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
                    "SELECT o.probe, o.is_down, o.since, o.last_performed, o.cause, o.outage, o.behind, \(Self.liveSQL)"
                        + " FROM observations o JOIN probes p ON p.name = o.probe WHERE o.check_id = ? ORDER BY o.probe"
                        + " FOR UPDATE",
                    [.int(checkID)], columns: [.text, .int, .date, .date, .text, .text, .text, .int]
                ).compactMap { row -> StoredView? in
                    guard row.count == 8, let probe = row[0].text, let since = row[2].date else { return nil }
                    let isDown = row[1].int == 1
                    return StoredView(view: ProbeView(probe: probe, isDown: isDown, since: since, lastPerformed: row[3].date,
                                                      cause: row[4].text, outage: Self.outage(row[5].text, isDown: isDown),
                                                      behind: row[6].text),
                                      live: row[7].int == 1)
                }
                let ongoing = try connection.query(
                    "SELECT \(Self.ongoingColumns) FROM incidents WHERE check_id = ? AND up_detection IS NULL FOR UPDATE",
                    [.int(checkID)], columns: Self.ongoingTypes
                ).first.flatMap { Self.summary($0[...]) }
                switch decide(views, ongoing) {
                case .open(let downDetection, let description, let kind):
                    guard ongoing == nil else { return .unchanged }
                    let text = String(description.prefix(1024))
                    let parent = try parentIncident(of: kind)
                    let id = Int64(try connection.execute(
                        "INSERT INTO incidents (check_id, description, down_detection, parent_incident_id, maintenance,"
                            + " announced) VALUES (?, ?, ?, ?, ?, ?)",
                        [.int(checkID), .text(text), .date(downDetection), parent.map { .int($0) } ?? .null,
                         .int(kind == .maintenance ? 1 : 0), .int(kind.announced ? 1 : 0)]).insertID)
                    if kind.announced { try enqueue(incidentID: id, event: "opened") }
                    return .opened(incidentID: id, downDetection: downDetection, description: text, kind: kind)
                case .reclassify(let description, let kind):
                    guard let ongoing, ongoing.differs(from: kind) else { return .unchanged }
                    // The parent stays as history when the host turns out down on its own, as on a lone daemon.
                    let parent = try parentIncident(of: kind)
                    try connection.execute(
                        "UPDATE incidents SET description = ?, parent_incident_id = COALESCE(?, parent_incident_id),"
                            + " maintenance = ?, announced = ? WHERE id = ?",
                        [.text(String(description.prefix(1024))), parent.map { .int($0) } ?? .null,
                         .int(kind == .maintenance ? 1 : 0), .int(kind.announced ? 1 : 0), .int(ongoing.id)])
                    if kind.announced { try enqueue(incidentID: ongoing.id, event: "opened") }
                    return .reclassified(incidentID: ongoing.id, kind: kind)
                case .close(let upDetection):
                    guard let ongoing else { return .unchanged }
                    let up = max(upDetection, ongoing.downDetection)
                    try connection.execute("UPDATE incidents SET up_detection = ? WHERE id = ? AND up_detection IS NULL",
                                           [.date(up), .int(ongoing.id)])
                    // Closed quietly when its opening was not notified, as a lone daemon does.
                    if ongoing.announced { try enqueue(incidentID: ongoing.id, event: "closed") }
                    return .closed(incidentID: ongoing.id, upDetection: up, announced: ongoing.announced)
                case .keep:
                    return .unchanged
                }
            }
        } catch is DuplicateKeyError {
            return .unchanged
        }
    }

    /// The incident an unreachable host's is behind: its ancestor's ongoing one (nil if the database has none yet:
    /// the incident is then unreachable without a parent, and still not notified).
    private func parentIncident(of kind: IncidentKind) throws -> Int64? {
        guard case .unreachable(let behind) = kind else { return nil }
        return try connection.query(
            "SELECT i.id FROM incidents i JOIN checks c ON c.id = i.check_id WHERE c.domain = ? AND i.up_detection IS NULL"
                + " LOCK IN SHARE MODE",
            [.text(behind)], columns: [.int]).first?.first?.int
    }

    private func enqueue(incidentID: Int64, event: String) throws {
        try connection.execute(
            "INSERT IGNORE INTO notification_outbox (incident_id, event, created_at) VALUES (?, ?, NOW(3))",
            [.int(incidentID), .text(event)])
    }
}
