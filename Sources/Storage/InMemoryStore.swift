// The Store in memory, with the same rules as MariaDB (stable ids, one ongoing incident per check, the same range
// of times): for unit tests, and as the reference the store contract tests hold both implementations to. Every
// method runs under one lock, so each is one transaction.
import Encoding
import Foundation
import Synchronization

package final class InMemoryStore: Store, Sendable {
    private struct Tables {
        var checks: [Check] = []
        var incidentsByID: [Int64: Incident] = [:]
        var nextIncidentID: Int64 = 1
        var gaps: [MonitorGap] = []
        var registeredAt: [Int64: Date] = [:]

        func ongoing(_ checkID: Int64) -> Incident? {
            incidentsByID.values.first { $0.checkID == checkID && $0.isOngoing }
        }
    }

    private let tables = Mutex(Tables())

    package init() {}

    package func migrate() throws {}

    package func registerChecks(domains: [String]) throws -> [Check] {
        tables.withLock { tables in
            domains.map { domain in
                if let existing = tables.checks.first(where: { $0.domain == domain }) { return existing }
                let check = Check(id: Int64(tables.checks.count + 1), domain: domain, lastPerformed: nil, status: true)
                tables.checks.append(check)
                tables.registeredAt[check.id] = Date()
                return check
            }
        }
    }

    package func updateChecks(_ updates: [CheckUpdate]) throws {
        for update in updates { try StoredTime.check(update.lastPerformed) }
        tables.withLock { tables in
            for update in updates {
                guard let index = tables.checks.firstIndex(where: { $0.id == update.id }) else { continue }
                tables.checks[index].lastPerformed = update.lastPerformed
                tables.checks[index].status = update.status
            }
        }
    }

    package func openIncident(checkID: Int64, description: String, downDetection: Date, parentIncidentID: Int64?,
                              maintenance: Bool) throws -> Incident {
        try StoredTime.check(downDetection)
        return try tables.withLock { tables in
            if let same = tables.incidentsByID.values.first(where: {
                $0.checkID == checkID && $0.downDetection.isSameMillisecond(as: downDetection)
            }) {
                return same
            }
            if tables.ongoing(checkID) != nil { throw StoreError.ongoingIncidentExists(checkID: checkID) }
            let incident = Incident(id: tables.nextIncidentID, checkID: checkID, description: description,
                                    downDetection: downDetection, upDetection: nil, parentIncidentID: parentIncidentID,
                                    maintenance: maintenance)
            tables.incidentsByID[incident.id] = incident
            tables.nextIncidentID += 1
            return incident
        }
    }

    package func closeIncident(checkID: Int64, upDetection: Date) throws -> Incident? {
        try StoredTime.check(upDetection)
        return tables.withLock { tables in
            guard var incident = tables.ongoing(checkID), incident.downDetection <= upDetection else { return nil }
            incident.upDetection = upDetection
            tables.incidentsByID[incident.id] = incident
            return incident
        }
    }

    package func describeOngoingIncident(checkID: Int64, description: String) throws {
        tables.withLock { tables in
            guard var incident = tables.ongoing(checkID) else { return }
            incident.description = description
            tables.incidentsByID[incident.id] = incident
        }
    }

    package func classifyOngoingIncident(checkID: Int64, description: String, parentIncidentID: Int64?,
                                         maintenance: Bool) throws {
        tables.withLock { tables in
            guard var incident = tables.ongoing(checkID) else { return }
            incident.description = description
            incident.parentIncidentID = parentIncidentID
            incident.maintenance = maintenance
            tables.incidentsByID[incident.id] = incident
        }
    }

    package func incidentID(checkID: Int64, downDetection: Date) throws -> Int64? {
        tables.withLock { tables in
            tables.incidentsByID.values.first {
                $0.checkID == checkID && $0.downDetection.isSameMillisecond(as: downDetection)
            }?.id
        }
    }

    package func ongoingIncident(checkID: Int64) throws -> Incident? {
        tables.withLock { $0.ongoing(checkID) }
    }

    package func recordGap(from: Date, until: Date, reason: String) throws {
        try StoredTime.check(from)
        try StoredTime.check(until)
        tables.withLock { tables in
            guard !tables.gaps.contains(where: { $0.from.isSameMillisecond(as: from) }) else { return }
            tables.gaps.append(MonitorGap(from: from, until: until, reason: reason))
        }
    }

    package func gaps() throws -> [MonitorGap] {
        tables.withLock { $0.gaps.sorted { $0.from < $1.from } }
    }

    package func incidents(checkID: Int64, filter: IncidentFilter) throws -> [Incident] {
        tables.withLock { tables in
            let listed = tables.incidentsByID.values.filter { $0.checkID == checkID && filter.admits($0) }
                .sorted { ($0.downDetection, $0.id) > ($1.downDetection, $1.id) }
            return filter.limit.map { Array(listed.prefix($0)) } ?? listed
        }
    }

    package func history(since: Date) throws -> StoredHistory {
        tables.withLock { tables in
            StoredHistory(watchedSince: tables.registeredAt,
                          incidents: tables.incidentsByID.values.filter { $0.upDetection.map { $0 >= since } ?? true },
                          gaps: tables.gaps.filter { $0.until >= since }.sorted { $0.from < $1.from })
        }
    }
}
