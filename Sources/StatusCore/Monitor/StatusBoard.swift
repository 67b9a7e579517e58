// The monitor's current state of every host, published for the API to read (the API never pings).
import Foundation
import Synchronization

/// What the API shows for one host.
public struct HostStatus: Equatable, Sendable {
    /// The stored check; its `status` is as loaded at start-up. The live answer is `reportedUp`.
    public var check: Check
    /// True from the ping that declared the host down until the one that declared it up.
    public var isDown: Bool
    /// Round-trip time of the last good ping, in milliseconds.
    public var lastRTTMilliseconds: Double?
    /// The last 64 pings' outcomes, for packet loss.
    public var recent = RecentPings()
    /// When the ongoing incident began (its down_detection); nil while up.
    public var downSince: Date?
    /// Incidents this run opened (for /metrics).
    public var incidentsOpened = 0

    public init(check: Check, isDown: Bool, lastRTTMilliseconds: Double?) {
        self.check = check
        self.isDown = isDown
        self.lastRTTMilliseconds = lastRTTMilliseconds
    }

    /// The contract's `status`: a host that has not completed a ping yet is reported up.
    public var reportedUp: Bool { check.lastPerformed == nil || !isDown }
}

/// Lock-protected table of host states, in configuration order. Writers: the monitor; readers: the API.
/// Two versions are published atomically, so readers can see that nothing changed without taking the lock:
/// `version` moves on with every change (every ping), `stateVersion` only when a host's reported up/down changes.
public final class StatusBoard: @unchecked Sendable {
    private let lock = NSLock()
    private var hosts: [HostStatus]
    private let publishedVersion = Atomic<UInt64>(0)
    private let publishedStateVersion = Atomic<UInt64>(0)
    private let indexByKey: [String: Int]
    /// The configured domains, in order; they never change, so they are read without the lock.
    private let domains: [String]

    public init(hosts: [HostStatus]) {
        self.hosts = hosts
        var index: [String: Int] = [:]
        for (position, host) in hosts.enumerated() {
            index[HostSpec.lookupKey(host.check.domain)] = position
        }
        self.indexByKey = index
        self.domains = hosts.map(\.check.domain)
    }

    /// The domain at `position`, exactly as configured.
    public func domain(at position: Int) -> String {
        domains[position]
    }

    /// Every host, in configuration order.
    public func snapshot() -> [HostStatus] {
        lock.lock()
        defer { lock.unlock() }
        return hosts
    }

    /// Grows with every change; read without a lock.
    public var version: UInt64 { publishedVersion.load(ordering: .acquiring) }

    /// Grows when a host's reported up/down changes; read without a lock.
    public var stateVersion: UInt64 { publishedStateVersion.load(ordering: .acquiring) }

    /// Every host and the versions they are at.
    public func versionedSnapshot() -> (hosts: [HostStatus], version: UInt64, stateVersion: UInt64) {
        lock.lock()
        defer { lock.unlock() }
        return (hosts, publishedVersion.load(ordering: .relaxed), publishedStateVersion.load(ordering: .relaxed))
    }

    /// Where the host whose domain is `domain` as configured (IPv6 literals with or without brackets) sits in
    /// every snapshot; the table never changes, so this takes no lock.
    public func position(domain: String) -> Int? {
        indexByKey[HostSpec.lookupKey(domain)]
    }

    /// Sets the checks' ids once the database has registered them (they are 0 before, after a start without
    /// the database and without a state directory).
    public func setIDs(_ ids: [String: Int64]) {
        lock.lock()
        for position in hosts.indices {
            if let id = ids[hosts[position].check.domain] { hosts[position].check.id = id }
        }
        publishedVersion.wrappingAdd(1, ordering: .releasing)
        lock.unlock()
    }

    /// The host at `position`, as it is now.
    public func host(at position: Int) -> HostStatus {
        lock.lock()
        defer { lock.unlock() }
        return hosts[position]
    }

    /// The check id at `position` (0 until the database has registered it).
    func checkID(_ position: Int) -> Int64 {
        lock.lock()
        defer { lock.unlock() }
        return hosts[position].check.id
    }

    func update(_ position: Int, _ change: (inout HostStatus) -> Void) {
        lock.lock()
        let wasUp = hosts[position].reportedUp
        change(&hosts[position])
        if hosts[position].reportedUp != wasUp { publishedStateVersion.wrappingAdd(1, ordering: .releasing) }
        publishedVersion.wrappingAdd(1, ordering: .releasing)
        lock.unlock()
    }
}
