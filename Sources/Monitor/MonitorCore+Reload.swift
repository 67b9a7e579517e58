// A reloaded host file applied on the ping queue, as a diff against the hosts running now: a new host takes
// the next place and starts pinging at once; a removed one is retired (its timer stops, its place and state
// stay, so adding it back continues where it was); a changed one keeps its tracker — its state, streaks and
// ongoing incident — and takes the new thresholds, timeout and windows, with a new timer when its interval
// changed. Then the graph is rebuilt, and outages that depended on the old one are looked at again.
import Dispatch
import Foundation

/// What a reload did, for the log.
package struct ReloadSummary: Equatable, Sendable {
    package var added: Int
    package var removed: Int
    package var changed: Int
    package var watched: Int
}

extension MonitorCore {
    /// Makes `specs` (in configuration order) the watched hosts.
    func apply(_ specs: [HostSpec]) -> ReloadSummary {
        // By the domain as written: it is the check's key in the database and the API, so "[::1]" replacing
        // "::1" is a new host (as it would be after a restart), not a rename.
        var places: [String: Int] = [:]
        for host in hosts { places[host.spec.domain] = host.position }
        var watched: [(position: Int, spec: HostSpec)] = []
        var added: [Int] = []
        var changed = 0
        /// Hosts whose timer starts now: the added ones, and changed ones with a new interval.
        var starting: [HostRuntime] = []
        for spec in specs {
            let host: HostRuntime
            if let position = places[spec.domain] {
                host = hosts[position]
                if host.retired {
                    host.retired = false
                    update(host, to: spec)
                    added.append(position)
                    starting.append(host)
                } else if host.spec != spec {
                    changed += 1
                    if update(host, to: spec) { starting.append(host) }
                }
            } else {
                host = Self.runtime(position: hosts.count, spec: spec, settings: defaults, downSince: nil,
                                    schedule: MonitorSchedule(intervalNanoseconds: 1, hostCount: 1), rank: 0)
                hosts.append(host)
                added.append(host.position)
                starting.append(host)
            }
            watched.append((host.position, spec))
        }
        let kept = Set(watched.map(\.position))
        let retired = hosts.filter { !$0.retired && !kept.contains($0.position) }
        for host in retired { retire(host) }
        rebuildGraph()
        emit(.hostsChanged(HostsChanged(hosts: watched, added: added, retired: retired.map(\.position))))
        schedule(starting)
        return ReloadSummary(added: added.count, removed: retired.count, changed: changed, watched: watched.count)
    }

    /// Takes the host's new spec; true when its timer must start again (its interval changed).
    @discardableResult
    private func update(_ host: HostRuntime, to spec: HostSpec) -> Bool {
        let own = defaults.settings(for: spec)
        let newInterval = own.interval != host.settings.interval
        host.spec = spec
        host.settings = own
        host.tracker.retune(failureThreshold: own.failureThreshold, recoveryThreshold: own.recoveryThreshold,
                            timeout: own.timeout)
        if newInterval { stopTimer(host) }
        return newInterval
    }

    /// Stops watching the host; its tracker (and any ongoing incident) stays as it is.
    private func retire(_ host: HostRuntime) {
        host.retired = true
        stopTimer(host)
        endAwaiting(host)
        host.probing = false
        host.waiters.removeAll()
    }

    /// Spreads the hosts that start (again) over their intervals' schedules from now: the first pings within a
    /// second, as at start-up.
    private func schedule(_ started: [HostRuntime]) {
        guard !stopped, base != nil, !started.isEmpty else { return }
        let places = MonitorSchedule.places(of: started.map { $0.settings.interval.nanoseconds })
        let now = DispatchTime.now()
        for (index, host) in started.enumerated() {
            host.schedule = places[index].schedule
            host.rank = places[index].rank
            begin(host, base: now)
        }
    }

    /// The graph of the watched hosts; waits and outages that hung on the old one are decided again.
    private func rebuildGraph() {
        for host in hosts where host.awaitingUntil != nil {
            for position in graph.parents[host.position] where hosts.indices.contains(position) {
                hosts[position].waiters.remove(host.position)
            }
        }
        graph = HostGraph(hosts.map(\.spec), excluded: { self.hosts[$0].retired })
        for host in hosts where !host.retired && host.tracker.isDown {
            if host.awaitingUntil != nil { settle(host) } else { review(host) }
        }
    }
}
