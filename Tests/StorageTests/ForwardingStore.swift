// Test stores that wrap an in-memory store: each forwards every call to `inner` unless it has something to add
// (a failure to simulate, a look at the disk), so only what differs is written in each.
import Foundation
@testable import Storage

protocol ForwardingStore: Store {
    var inner: InMemoryStore { get }
}

extension ForwardingStore {
    func migrate() throws {}
    func registerChecks(domains: [String]) throws -> [Check] { try inner.registerChecks(domains: domains) }
    func updateChecks(_ updates: [CheckUpdate]) throws { try inner.updateChecks(updates) }
    func openIncident(checkID: Int64, description: String, downDetection: Date, parentIncidentID: Int64?,
                      maintenance: Bool) throws -> Incident {
        try inner.openIncident(checkID: checkID, description: description, downDetection: downDetection,
                               parentIncidentID: parentIncidentID, maintenance: maintenance)
    }
    func classifyOngoingIncident(checkID: Int64, description: String, parentIncidentID: Int64?, maintenance: Bool) throws {
        try inner.classifyOngoingIncident(checkID: checkID, description: description, parentIncidentID: parentIncidentID,
                                          maintenance: maintenance)
    }
    func incidentID(checkID: Int64, downDetection: Date) throws -> Int64? {
        try inner.incidentID(checkID: checkID, downDetection: downDetection)
    }
    func closeIncident(checkID: Int64, upDetection: Date) throws -> Incident? {
        try inner.closeIncident(checkID: checkID, upDetection: upDetection)
    }
    func describeOngoingIncident(checkID: Int64, description: String) throws {
        try inner.describeOngoingIncident(checkID: checkID, description: description)
    }
    func recordGap(from: Date, until: Date, reason: String) throws { try inner.recordGap(from: from, until: until, reason: reason) }
    func gaps() throws -> [MonitorGap] { try inner.gaps() }
    func ongoingIncident(checkID: Int64) throws -> Incident? { try inner.ongoingIncident(checkID: checkID) }
    func incidents(checkID: Int64, filter: IncidentFilter) throws -> [Incident] {
        try inner.incidents(checkID: checkID, filter: filter)
    }
    func history(since: Date) throws -> StoredHistory { try inner.history(since: since) }
}
