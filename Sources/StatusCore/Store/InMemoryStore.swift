// The Store in memory, with the same rules as MariaDB (stable ids, one ongoing incident per check):
// for unit tests, and as the reference the store contract tests hold both implementations to.
import Foundation

public final class InMemoryStore: Store, @unchecked Sendable {
    private let lock = NSLock()
    private var checks: [Check] = []
    private var incidentsByID: [Int64: Incident] = [:]
    private var nextIncidentID: Int64 = 1
    private var recordedGaps: [MonitorGap] = []
    private var registeredAt: [Int64: Date] = [:]

    public init() {}

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    public func migrate() throws {}

    public func registerChecks(domains: [String]) throws -> [Check] {
        locked {
            domains.map { domain in
                if let existing = checks.first(where: { $0.domain == domain }) { return existing }
                let check = Check(id: Int64(checks.count + 1), domain: domain, lastPerformed: nil, status: true)
                checks.append(check)
                registeredAt[check.id] = Date()
                return check
            }
        }
    }

    public func updateChecks(_ updates: [CheckUpdate]) throws {
        locked {
            for update in updates {
                guard let index = checks.firstIndex(where: { $0.id == update.id }) else { continue }
                checks[index].lastPerformed = update.lastPerformed
                checks[index].status = update.status
            }
        }
    }

    public func openIncident(checkID: Int64, description: String, downDetection: Date) throws -> Incident {
        try locked {
            if let same = incidentsByID.values.first(where: { $0.checkID == checkID && $0.downDetection.unixMilliseconds == downDetection.unixMilliseconds }) {
                return same
            }
            if incidentsByID.values.contains(where: { $0.checkID == checkID && $0.isOngoing }) {
                throw StoreError.ongoingIncidentExists(checkID: checkID)
            }
            let incident = Incident(id: nextIncidentID, checkID: checkID, description: description,
                                    downDetection: downDetection, upDetection: nil)
            incidentsByID[incident.id] = incident
            nextIncidentID += 1
            return incident
        }
    }

    public func closeIncident(checkID: Int64, upDetection: Date) throws -> Incident? {
        locked {
            guard var incident = incidentsByID.values.first(where: { $0.checkID == checkID && $0.isOngoing }),
                  incident.downDetection <= upDetection else {
                return nil
            }
            incident.upDetection = upDetection
            incidentsByID[incident.id] = incident
            return incident
        }
    }

    public func describeOngoingIncident(checkID: Int64, description: String) throws {
        locked {
            guard var incident = incidentsByID.values.first(where: { $0.checkID == checkID && $0.isOngoing }) else { return }
            incident.description = description
            incidentsByID[incident.id] = incident
        }
    }

    public func ongoingIncident(checkID: Int64) throws -> Incident? {
        locked { incidentsByID.values.first { $0.checkID == checkID && $0.isOngoing } }
    }

    public func recordGap(from: Date, until: Date, reason: String) throws {
        locked {
            guard !recordedGaps.contains(where: { $0.from.unixMilliseconds == from.unixMilliseconds }) else { return }
            recordedGaps.append(MonitorGap(from: from, until: until, reason: reason))
        }
    }

    public func gaps() throws -> [MonitorGap] {
        locked { recordedGaps.sorted { $0.from < $1.from } }
    }

    public func incidents(checkID: Int64, filter: IncidentFilter) throws -> [Incident] {
        locked {
            let listed = incidentsByID.values.filter { $0.checkID == checkID && filter.admits($0) }
                .sorted { ($0.downDetection, $0.id) > ($1.downDetection, $1.id) }
            return filter.limit.map { Array(listed.prefix($0)) } ?? listed
        }
    }

    public func history(since: Date) throws -> StoredHistory {
        locked {
            StoredHistory(watchedSince: registeredAt,
                          incidents: incidentsByID.values.filter { $0.upDetection.map { $0 >= since } ?? true },
                          gaps: recordedGaps.filter { $0.until >= since }.sorted { $0.from < $1.from })
        }
    }
}
