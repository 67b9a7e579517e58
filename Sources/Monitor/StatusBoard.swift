// The monitor's current state of every host, published for the API to read (the API never pings). The board
// subscribes to the monitor's events (a reload's new and removed hosts come the same way); the daemon gives it the
// check ids once the database has registered them. Two versions are published atomically, so readers can see
// that nothing changed without taking the lock: `version` moves on with every change (every ping),
// `stateVersion` only when a host's reported state changes.
import Foundation
import ICMP
import Synchronization

package final class StatusBoard: MonitorObserver {
    /// The hosts in configuration order (a removed host keeps its place, retired) and where each domain is.
    struct Table {
        var hosts: [HostStatus]
        var index: [String: Int]
    }

    private let table: Mutex<Table>
    private let publishedVersion = Atomic<UInt64>(0)
    private let publishedStateVersion = Atomic<UInt64>(0)

    /// `hosts` in configuration order, as the state directory left them.
    package init(hosts: [HostStatus]) {
        var index: [String: Int] = [:]
        for (position, host) in hosts.enumerated() { index[HostSpec.lookupKey(host.domain)] = position }
        table = Mutex(Table(hosts: hosts, index: index))
    }

    /// The domain at `position`, exactly as configured.
    package func domain(at position: Int) -> String { table.withLock { $0.hosts[position].domain } }

    /// Every host ever configured in this run, in configuration order; retired ones are marked.
    package func snapshot() -> [HostStatus] { table.withLock { $0.hosts } }

    /// Grows with every change; read without a lock.
    package var version: UInt64 { publishedVersion.load(ordering: .acquiring) }

    /// Grows when a host's reported state changes; read without a lock.
    package var stateVersion: UInt64 { publishedStateVersion.load(ordering: .acquiring) }

    /// Every host and the versions they are at.
    package func versionedSnapshot() -> (hosts: [HostStatus], version: UInt64, stateVersion: UInt64) {
        table.withLock { ($0.hosts, publishedVersion.load(ordering: .relaxed), publishedStateVersion.load(ordering: .relaxed)) }
    }

    /// Where the monitored host whose domain is `domain` as configured (IPv6 literals with or without
    /// brackets) sits in every snapshot; nil when it is not monitored (never was, or was removed).
    package func position(domain: String) -> Int? {
        table.withLock { table in
            guard let position = table.index[HostSpec.lookupKey(domain)], !table.hosts[position].retired else { return nil }
            return position
        }
    }

    /// The host at `position`, as it is now.
    package func host(at position: Int) -> HostStatus { table.withLock { $0.hosts[position] } }

    /// The check id at `position` (0 until the database has registered it).
    package func checkID(_ position: Int) -> Int64 { table.withLock { $0.hosts[position].id } }

    /// Sets the checks' ids once the database has registered them.
    package func setIDs(_ ids: [String: Int64]) {
        table.withLock { table in
            for position in table.hosts.indices {
                if let id = ids[table.hosts[position].domain] { table.hosts[position].id = id }
            }
            publishedVersion.wrappingAdd(1, ordering: .releasing)
        }
    }

    package func monitor(_ event: MonitorEvent) {
        switch event {
        case .pinged(let report):
            update(report.host) { status in
                status.lastPerformed = report.completedAt
                status.isDown = report.isDown
                status.state = report.state
                status.answering = report.succeeded
                status.downSince = report.isDown ? report.downSince : nil
                if case .reply(let rtt) = report.outcome { status.lastRTTMilliseconds = rtt }
                status.recent.record(success: report.succeeded)
            }
        case .incidentOpened(let opened):
            update(opened.host) { status in
                status.incidentsOpened += 1
                status.behind = opened.behind?.domain
            }
        case .incidentClassified(let classified):
            update(classified.host) { status in
                status.behind = classified.behind?.domain
                if status.state != .maintenance { status.state = classified.kind.state }
            }
        case .incidentAdopted(let adopted):
            update(adopted.host) { status in
                status.isDown = true
                status.downSince = adopted.downDetection
                if status.state != .maintenance { status.state = .down }
            }
        case .incidentClosed(let closed):
            update(closed.host) { $0.behind = nil }
        case .incidentDescribed:
            break
        case .hostsChanged(let change):
            apply(change)
        }
    }

    /// A reloaded host file: new hosts take the next places, removed ones are retired, the rest re-described.
    private func apply(_ change: HostsChanged) {
        table.withLock { table in
            for (position, spec) in change.hosts {
                if position < table.hosts.count {
                    table.hosts[position].describe(spec)
                    table.hosts[position].retired = false
                } else {
                    table.hosts.append(HostStatus(spec: spec, id: 0, downSince: nil))
                    table.index[spec.lookupKey] = position
                }
            }
            for position in change.retired where table.hosts.indices.contains(position) {
                table.hosts[position].retired = true
            }
            publishedStateVersion.wrappingAdd(1, ordering: .releasing)
            publishedVersion.wrappingAdd(1, ordering: .releasing)
        }
    }

    private func update(_ position: Int, _ change: (inout HostStatus) -> Void) {
        table.withLock { table in
            let before = (table.hosts[position].reportedUp, table.hosts[position].state, table.hosts[position].behind)
            change(&table.hosts[position])
            let after = (table.hosts[position].reportedUp, table.hosts[position].state, table.hosts[position].behind)
            if before != after { publishedStateVersion.wrappingAdd(1, ordering: .releasing) }
            publishedVersion.wrappingAdd(1, ordering: .releasing)
        }
    }
}
