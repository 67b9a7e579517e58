// The monitor's current state of every host, published for the API to read (the API never pings). The board
// subscribes to the monitor's events; the daemon gives it the check ids once the database has registered them.
// Two versions are published atomically, so readers can see that nothing changed without taking the lock:
// `version` moves on with every change (every ping), `stateVersion` only when a host's reported up/down changes.
import Foundation
import ICMP
import Synchronization

package final class StatusBoard: MonitorObserver {
    private let hosts: Mutex<[HostStatus]>
    private let publishedVersion = Atomic<UInt64>(0)
    private let publishedStateVersion = Atomic<UInt64>(0)
    private let indexByKey: [String: Int]
    /// The configured domains, in order; they never change, so they are read without the lock.
    private let domains: [String]

    /// `hosts` in configuration order, as the state directory left them.
    package init(hosts: [HostStatus]) {
        var index: [String: Int] = [:]
        for (position, host) in hosts.enumerated() { index[HostSpec.lookupKey(host.domain)] = position }
        self.indexByKey = index
        self.domains = hosts.map(\.domain)
        self.hosts = Mutex(hosts)
    }

    /// The domain at `position`, exactly as configured.
    package func domain(at position: Int) -> String { domains[position] }

    /// Every host, in configuration order.
    package func snapshot() -> [HostStatus] { hosts.withLock { $0 } }

    /// Grows with every change; read without a lock.
    package var version: UInt64 { publishedVersion.load(ordering: .acquiring) }

    /// Grows when a host's reported up/down changes; read without a lock.
    package var stateVersion: UInt64 { publishedStateVersion.load(ordering: .acquiring) }

    /// Every host and the versions they are at.
    package func versionedSnapshot() -> (hosts: [HostStatus], version: UInt64, stateVersion: UInt64) {
        hosts.withLock { ($0, publishedVersion.load(ordering: .relaxed), publishedStateVersion.load(ordering: .relaxed)) }
    }

    /// Where the host whose domain is `domain` as configured (IPv6 literals with or without brackets) sits in
    /// every snapshot; the table never changes, so this takes no lock.
    package func position(domain: String) -> Int? { indexByKey[HostSpec.lookupKey(domain)] }

    /// The host at `position`, as it is now.
    package func host(at position: Int) -> HostStatus { hosts.withLock { $0[position] } }

    /// The check id at `position` (0 until the database has registered it).
    package func checkID(_ position: Int) -> Int64 { hosts.withLock { $0[position].id } }

    /// Sets the checks' ids once the database has registered them.
    package func setIDs(_ ids: [String: Int64]) {
        hosts.withLock { hosts in
            for position in hosts.indices {
                if let id = ids[hosts[position].domain] { hosts[position].id = id }
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
                status.downSince = report.isDown ? report.downSince : nil
                if case .reply(let rtt) = report.outcome { status.lastRTTMilliseconds = rtt }
                status.recent.record(success: report.succeeded)
            }
        case .incidentOpened(let opened):
            update(opened.host) { $0.incidentsOpened += 1 }
        case .incidentAdopted(let adopted):
            update(adopted.host) { status in
                status.isDown = true
                status.downSince = adopted.downDetection
            }
        case .incidentClosed, .incidentDescribed:
            break
        }
    }

    private func update(_ position: Int, _ change: (inout HostStatus) -> Void) {
        hosts.withLock { hosts in
            let wasUp = hosts[position].reportedUp
            change(&hosts[position])
            if hosts[position].reportedUp != wasUp { publishedStateVersion.wrappingAdd(1, ordering: .releasing) }
            publishedVersion.wrappingAdd(1, ordering: .releasing)
        }
    }
}
