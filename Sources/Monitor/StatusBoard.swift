// The monitor's current state of every host, published for the API to read (the API never pings). The board
// subscribes to the monitor's events; the daemon gives it the
// check ids once the database has registered them. Two versions are published atomically, so readers can see
// that nothing changed without taking the lock: `version` moves on with every change (every ping),
// `stateVersion` only when a host's reported state changes.
import Foundation
import ICMP
import Synchronization

package final class StatusBoard: MonitorObserver {
    /// The hosts in configuration order and where each domain is.
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

    /// Every host, in configuration order.
    package func snapshot() -> [HostStatus] { table.withLock { $0.hosts } }

    /// Grows with every change; read without a lock.
    package var version: UInt64 { publishedVersion.load(ordering: .acquiring) }

    /// Grows when a host's reported state changes; read without a lock.
    package var stateVersion: UInt64 { publishedStateVersion.load(ordering: .acquiring) }

    /// Every host and the versions they are at.
    package func versionedSnapshot() -> (hosts: [HostStatus], version: UInt64, stateVersion: UInt64) {
        table.withLock { ($0.hosts, publishedVersion.load(ordering: .relaxed), publishedStateVersion.load(ordering: .relaxed)) }
    }

    /// Where the host whose domain is `domain` as configured (IPv6 literals with or without brackets) sits in
    /// every snapshot; nil when it is not monitored.
    package func position(domain: String) -> Int? {
        table.withLock { $0.index[HostSpec.lookupKey(domain)] }
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
