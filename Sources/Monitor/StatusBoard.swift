// The monitor's current state of every host, published for the API to read (the API never pings). The board
// subscribes to the monitor's events (a reload's new and removed hosts come the same way); the daemon gives it
// the check ids once the database has registered them. Two versions are published atomically, so readers can see
// that nothing changed without taking the lock: `version` moves on with every change (every ping),
// `stateVersion` only when a host's reported state changes.
import Foundation
import ICMP
import Synchronization

package final class StatusBoard: MonitorObserver {
    /// Every host of this run by place (a removed host keeps its place), the watched ones in configuration
    /// order, and where each domain is.
    struct Table {
        var hosts: ChunkedArray<HostStatus>
        var order: [Int]
        var watched: [Bool]
        var index: [String: Int]
        /// Every host is watched, in the order of their places (always, until a reload says otherwise).
        var inPlaceOrder = true
        /// Called once at the next change, then forgotten (`onNextChange`).
        var nextChange: (@Sendable () -> Void)?

        /// A change was made: the versions move on, and the hook waiting for it is handed back to be called
        /// outside the lock.
        mutating func changed(_ version: borrowing Atomic<UInt64>) -> (@Sendable () -> Void)? {
            version.wrappingAdd(1, ordering: .releasing)
            guard let hook = nextChange else { return nil }
            nextChange = nil
            return hook
        }
    }

    private let table: Mutex<Table>
    private let publishedVersion = Atomic<UInt64>(0)
    private let publishedStateVersion = Atomic<UInt64>(0)

    /// `hosts` in configuration order, as the state directory left them.
    package init(hosts: [HostStatus]) {
        var index: [String: Int] = [:]
        var placed = hosts
        for position in placed.indices {
            placed[position].position = position
            index[HostSpec.lookupKey(placed[position].domain)] = position
        }
        table = Mutex(Table(hosts: ChunkedArray(placed), order: Array(placed.indices),
                            watched: Array(repeating: true, count: placed.count), index: index))
    }

    /// The domain at `position`, exactly as configured.
    package func domain(at position: Int) -> String { table.withLock { $0.hosts[position].domain } }

    /// Every watched host's domain, in configuration order.
    package func watchedDomains() -> [String] { table.withLock { table in table.order.map { table.hosts[$0].domain } } }

    /// Every watched host, in configuration order.
    package func snapshot() -> [HostStatus] { Array(table.withLock { $0.watchedHosts }) }

    /// Grows with every change; read without a lock.
    package var version: UInt64 { publishedVersion.load(ordering: .acquiring) }

    /// Grows when a host's reported state changes; read without a lock.
    package var stateVersion: UInt64 { publishedStateVersion.load(ordering: .acquiring) }

    /// Every watched host and the versions they are at. The snapshot shares the board's chunks: the changes that
    /// come while it is alive copy only the chunks they touch.
    package func versionedSnapshot() -> (hosts: ChunkedArray<HostStatus>, version: UInt64, stateVersion: UInt64) {
        table.withLock { ($0.watchedHosts, publishedVersion.load(ordering: .relaxed), publishedStateVersion.load(ordering: .relaxed)) }
    }

    /// Calls `hook` once, at the board's next change (on the thread making it: the ping queue for a ping), and
    /// forgets it; a later call replaces a hook not called yet.
    package func onNextChange(_ hook: @escaping @Sendable () -> Void) {
        table.withLock { $0.nextChange = hook }
    }

    /// The place of the host whose domain is `domain` as configured (IPv6 literals with or without brackets);
    /// nil when it is not monitored (never was, or a reload removed it).
    package func position(domain: String) -> Int? {
        table.withLock { table in
            guard let position = table.index[HostSpec.lookupKey(domain)], table.watched[position] else { return nil }
            return position
        }
    }

    /// The host at `position`, as it is now.
    package func host(at position: Int) -> HostStatus { table.withLock { $0.hosts[position] } }

    /// The check id at `position` (0 until the database has registered it).
    package func checkID(_ position: Int) -> Int64 { table.withLock { $0.hosts[position].id } }

    /// Sets the checks' ids once the database has registered them.
    package func setIDs(_ ids: [String: Int64]) {
        let hook = table.withLock { table in
            for position in table.hosts.indices {
                if let id = ids[table.hosts[position].domain] { table.hosts.modify(position) { $0.id = id } }
            }
            return table.changed(publishedVersion)
        }
        hook?()
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
                if case .reply(let rtt) = report.outcome {
                    status.lastRTTMilliseconds = rtt
                    status.rtts.record(milliseconds: rtt)
                }
                status.recent.record(success: report.succeeded)
            }
        case .incidentOpened(let opened):
            update(opened.host) { status in
                status.incidentsOpened += 1
                status.behind = opened.behind?.domain
                status.cause = opened.cause
                status.outage = opened.kind.outage
            }
        case .incidentClassified(let classified):
            update(classified.host) { status in
                status.behind = classified.behind?.domain
                status.cause = classified.cause
                status.outage = classified.kind.outage
                if status.state != .maintenance { status.state = classified.kind.state }
            }
        case .incidentAdopted(let adopted):
            update(adopted.host) { status in
                status.isDown = true
                status.downSince = adopted.downDetection
                status.outage = adopted.kind.outage
                if status.state != .maintenance { status.state = .down }
            }
        case .incidentClosed(let closed):
            update(closed.host) { status in
                status.behind = nil
                status.outage = nil
                status.cause = nil
                status.upSince = closed.upDetection
            }
        case .incidentDescribed(let described):
            update(described.host) { $0.cause = described.cause }
        case .hostsChanged(let change):
            apply(change)
        }
    }

    /// A reloaded host file: new hosts take the next places, removed ones stop being listed, the rest are
    /// described again; every other field (state, last ping, id) stays.
    private func apply(_ change: HostsChanged) {
        let hook = table.withLock { table in
            for index in table.watched.indices { table.watched[index] = false }
            for (position, spec) in change.hosts {
                if position < table.hosts.count {
                    table.hosts.modify(position) { $0.describe(spec) }
                } else {
                    var status = HostStatus(spec: spec, id: 0, downSince: nil)
                    status.position = position
                    table.hosts.append(status)
                    table.watched.append(false)
                }
                table.watched[position] = true
                table.index[spec.lookupKey] = position  // a retired host of another spelling may have had it
            }
            table.order = change.hosts.map(\.position)
            table.inPlaceOrder = table.order == Array(table.hosts.indices)
            publishedStateVersion.wrappingAdd(1, ordering: .releasing)
            return table.changed(publishedVersion)
        }
        hook?()
    }

    /// Sets (or, with nil, clears) the probes' consensus of the hosts at these places.
    package func applyCluster(_ overlays: [Int: ClusterOverlay?]) {
        for (position, overlay) in overlays { update(position) { $0.cluster = overlay } }
    }

    private func update(_ position: Int, _ change: (inout HostStatus) -> Void) {
        let hook = table.withLock { table in
            // In place: reading the element's fields through the subscript would copy the whole HostStatus.
            if table.hosts.modify(position, { $0.change(change) }) { publishedStateVersion.wrappingAdd(1, ordering: .releasing) }
            return table.changed(publishedVersion)
        }
        hook?()
    }
}

extension StatusBoard.Table {
    var watchedHosts: ChunkedArray<HostStatus> { inPlaceOrder ? hosts : ChunkedArray(order.lazy.map { hosts[$0] }) }
}
