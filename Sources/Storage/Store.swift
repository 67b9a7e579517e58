// The Store protocol: what the daemon needs from persistent storage. Implementations: MariaDBStore (the real one)
// and InMemoryStore (unit tests, and the reference StoreContractTests hold both to). Calls block; callers run them
// on the store's own queue (see StoreWriter), never on a timer queue or an event loop. A store is used from one
// queue at a time, so it need not be Sendable.
import Foundation

package enum StoreError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The database refused a second ongoing incident for this check.
    case ongoingIncidentExists(checkID: Int64)
    /// The database could not be reached or the connection broke; retrying later may succeed.
    case unavailable(String)
    /// The database answered with an error that retrying will not fix.
    case failed(String)

    package var description: String {
        switch self {
        case .ongoingIncidentExists(let id): return "check \(id) already has an ongoing incident"
        case .unavailable(let why): return "database unavailable: \(why)"
        case .failed(let why): return "database error: \(why)"
        }
    }
}

/// The time and result of one check's latest completed ping.
package struct CheckUpdate: Sendable, Equatable {
    package var id: Int64
    package var lastPerformed: Date
    package var status: Bool

    package init(id: Int64, lastPerformed: Date, status: Bool) {
        self.id = id
        self.lastPerformed = lastPerformed
        self.status = status
    }
}

/// Persistent checks and incidents. Each method is one transaction: it happens whole or, on any error, not at all
/// (a race with another writer included). Times outside the years 1000–9999 are refused (`StoredTime`).
package protocol Store: AnyObject {
    /// Creates the schema or migrates it to the current version; harmless to run again.
    func migrate() throws

    /// Returns one check per domain, in the given order, creating rows for new domains.
    /// A domain keeps its id across restarts.
    func registerChecks(domains: [String]) throws -> [Check]

    /// Records the time and result of each check's latest completed ping: for many checks in a few statements.
    func updateChecks(_ updates: [CheckUpdate]) throws

    /// Opens an incident, or returns the check's incident with this `downDetection` if there is one already
    /// (so a journal replayed twice, or two writers opening the same incident at once, open nothing twice).
    /// Throws `StoreError.ongoingIncidentExists` if the check has another ongoing incident.
    /// `parentIncidentID` and `maintenance` are stored with a new incident (see Incident).
    func openIncident(checkID: Int64, description: String, downDetection: Date, parentIncidentID: Int64?,
                      maintenance: Bool) throws -> Incident

    /// Closes the check's ongoing incident if it began no later than `upDetection`, and returns it; nil if none
    /// was closed (so an old close replayed from the journal never closes a newer incident).
    func closeIncident(checkID: Int64, upDetection: Date) throws -> Incident?

    /// Records a time nobody watched the hosts (the daemon stopped or crashed); once per `from`.
    func recordGap(from: Date, until: Date, reason: String) throws

    /// The recorded gaps, oldest first.
    func gaps() throws -> [MonitorGap]

    /// Replaces the description of the check's ongoing incident, when a clearer cause arrives during the outage
    /// (e.g. "host unreachable" reported after the pings had already timed out). Does nothing if none is open.
    func describeOngoingIncident(checkID: Int64, description: String) throws

    /// Replaces the description, parent and maintenance mark of the check's ongoing incident (it turned out to
    /// be another kind of outage). Does nothing if none is open.
    func classifyOngoingIncident(checkID: Int64, description: String, parentIncidentID: Int64?, maintenance: Bool) throws

    /// The id of the check's incident that began at `downDetection`, if there is one.
    func incidentID(checkID: Int64, downDetection: Date) throws -> Int64?

    /// The check's ongoing incident, if any.
    func ongoingIncident(checkID: Int64) throws -> Incident?

    /// The check's incidents that `filter` admits, newest first (by down detection, then id), at most its limit.
    func incidents(checkID: Int64, filter: IncidentFilter) throws -> [Incident]

    /// The checks' registration times, and the incidents and gaps that reach past `since`.
    func history(since: Date) throws -> StoredHistory
}

extension Store {
    /// An incident with no parent, outside maintenance.
    package func openIncident(checkID: Int64, description: String, downDetection: Date) throws -> Incident {
        try openIncident(checkID: checkID, description: description, downDetection: downDetection,
                         parentIncidentID: nil, maintenance: false)
    }

    /// All of the check's incidents, newest first.
    package func incidents(checkID: Int64) throws -> [Incident] {
        try incidents(checkID: checkID, filter: .all)
    }
}
