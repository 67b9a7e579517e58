// The monitor's current state of every host, published for the API to read (the API never pings).
import Foundation

/// What the API shows for one host.
public struct HostStatus: Equatable, Sendable {
    /// The stored check; its `status` is as loaded at start-up. The live answer is `reportedUp`.
    public var check: Check
    /// True from the ping that declared the host down until the one that declared it up.
    public var isDown: Bool
    /// Round-trip time of the last good ping, in milliseconds.
    public var lastRTTMilliseconds: Double?

    public init(check: Check, isDown: Bool, lastRTTMilliseconds: Double?) {
        self.check = check
        self.isDown = isDown
        self.lastRTTMilliseconds = lastRTTMilliseconds
    }

    /// The contract's `status`: a host that has not completed a ping yet is reported up.
    public var reportedUp: Bool { check.lastPerformed == nil || !isDown }
}

/// Lock-protected table of host states, in configuration order. Writers: the monitor; readers: the API.
public final class StatusBoard: @unchecked Sendable {
    private let lock = NSLock()
    private var hosts: [HostStatus]
    private var version: UInt64 = 0
    private let indexByKey: [String: Int]

    public init(hosts: [HostStatus]) {
        self.hosts = hosts
        var index: [String: Int] = [:]
        for (position, host) in hosts.enumerated() {
            index[HostSpec.lookupKey(host.check.domain)] = position
        }
        self.indexByKey = index
    }

    /// Every host, in configuration order.
    public func snapshot() -> [HostStatus] {
        lock.lock()
        defer { lock.unlock() }
        return hosts
    }

    /// Every host and the board's version (it grows with every change), or nil if the version is still `known`.
    public func snapshot(ifChangedSince known: UInt64?) -> (hosts: [HostStatus], version: UInt64)? {
        lock.lock()
        defer { lock.unlock() }
        if let known, known == version { return nil }
        return (hosts, version)
    }

    /// The host whose domain is `domain` as configured (IPv6 literals with or without brackets).
    public func host(domain: String) -> HostStatus? {
        guard let position = indexByKey[HostSpec.lookupKey(domain)] else { return nil }
        lock.lock()
        defer { lock.unlock() }
        return hosts[position]
    }

    func update(_ position: Int, _ change: (inout HostStatus) -> Void) {
        lock.lock()
        change(&hosts[position])
        version &+= 1
        lock.unlock()
    }
}
