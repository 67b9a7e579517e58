// Outages decided by the hosts' parents. A host whose failure threshold trips is "unreachable" when every parent
// is down or unreachable itself, "down" when a parent is known to answer (a reply to a ping sent after the host's
// failure streak began). Otherwise a parent is failing, or its last answer is older than the streak: it is pinged
// at once if it is not failing yet, and the host waits for its verdict — recorded as down but not notified — at
// most the parent's own detection bound. So which host's timer fires first does not change the outcome.
import Dispatch
import Foundation
import ICMP
import Platform

extension MonitorCore {
    enum Verdict: Equatable {
        /// Some parent answers (or there is none): the outage is the host's own.
        case clear
        /// Every parent is down or unreachable; the position of the down ancestor it is behind.
        case blocked(Int)
        /// Parents whose verdict is awaited.
        case waiting([Int])
    }

    /// What the host's outage is, deciding it now at `now`, for a streak of failures that began at `streakStart`.
    /// Starts waiting for the parents' verdict when one is needed.
    func decide(_ host: HostRuntime, streakStart: Date, at now: Date) -> OutageKind {
        if host.inMaintenance(at: now) { return .maintenance }
        switch verdict(host, streakStart: streakStart) {
        case .clear: return .down(announced: true)
        case .blocked(let ancestor): return .unreachable(behind: ancestor)
        case .waiting(let parents):
            wait(host, for: parents)
            return .down(announced: false)
        }
    }

    /// The parents' verdict on `host`'s failure streak; pings a parent whose last answer predates the streak.
    func verdict(_ host: HostRuntime, streakStart: Date) -> Verdict {
        let parents = graph.parents[host.position]
        guard !parents.isEmpty else { return .clear }
        var blockedBy: Int?
        var waiting: [Int] = []
        for position in parents {
            let parent = hosts[position]
            if parent.tracker.isDown {
                if blockedBy == nil { blockedBy = cause(of: parent) }
                continue
            }
            if let last = parent.lastResult, last.success, last.sentAt >= streakStart { return .clear }
            if !parent.tracker.isFailing { probe(parent) }
            waiting.append(position)
        }
        if waiting.isEmpty, let blockedBy { return .blocked(blockedBy) }
        return .waiting(waiting)
    }

    /// The down ancestor a down or unreachable host stands for: itself, or the one it is behind.
    func cause(of host: HostRuntime) -> Int {
        if case .unreachable(let behind) = host.outage { return behind }
        return host.position
    }

    /// Pings `host` now, out of schedule, unless a ping of that kind is on its way.
    func probe(_ host: HostRuntime) {
        guard !host.probing, !stopped, let address = host.address else { return }
        host.probing = true
        pinger.ping(address, tag: PingTag(host: host.position, number: host.tracker.nextPing()),
                    timeoutNanoseconds: host.settings.timeout.nanoseconds)
    }

    /// `host` waits for `parents`, at most the longest of their detection bounds from now.
    func wait(_ host: HostRuntime, for parents: [Int]) {
        for position in parents { hosts[position].waiters.insert(host.position) }
        guard host.awaitingUntil == nil else { return }
        let bound = parents.map { hosts[$0].settings.detectionBoundNanoseconds }.max() ?? 0
        host.awaitingUntil = MonotonicInstant.now().adding(nanoseconds: bound)
        let position = host.position
        queue.asyncAfter(deadline: .now() + .nanoseconds(Int(bound))) { [weak home] in
            guard let core = home?.value else { return }  // on the ping queue: the box checks it
            core.settle(core.hosts[position])
        }
    }

    func endAwaiting(_ host: HostRuntime) {
        guard host.awaitingUntil != nil else { return }
        host.awaitingUntil = nil
        for position in graph.parents[host.position] { hosts[position].waiters.remove(host.position) }
    }

    /// A parent of waiting hosts counted a ping: decides those it now can.
    func settleWaiters(of parent: HostRuntime) {
        for position in parent.waiters.sorted() { settle(hosts[position]) }
    }

    /// Decides a waiting host if its parents' verdict is in, or its wait is over (then it is down).
    func settle(_ host: HostRuntime) {
        guard let until = host.awaitingUntil else { return }
        guard host.tracker.isDown, let since = host.tracker.ongoing?.since else { return endAwaiting(host) }
        switch verdict(host, streakStart: since) {
        case .clear:
            endAwaiting(host)
            classify(host, as: .down(announced: true))
        case .blocked(let ancestor):
            endAwaiting(host)
            classify(host, as: .unreachable(behind: ancestor))
        case .waiting(let parents):
            if MonotonicInstant.now() >= until {
                logger.info("parent_verdict_timeout", ["host": host.spec.domain])
                endAwaiting(host)
                classify(host, as: .down(announced: true))
            } else {
                for position in parents { hosts[position].waiters.insert(host.position) }
            }
        }
    }

    /// `host`'s outage began, changed or ended: its children that are down may be another kind of outage now.
    func updateChildren(of host: HostRuntime) {
        for position in graph.children[host.position] {
            let child = hosts[position]
            guard child.tracker.isDown else { continue }
            if child.awaitingUntil != nil { settle(child) } else { review(child) }
        }
    }

    /// An unreachable host whose parents changed state (or, after a reload, changed): still behind a down
    /// ancestor, perhaps another one; or not, and its next failed ping says it is down on its own.
    func review(_ host: HostRuntime) {
        guard case .unreachable(let behind) = host.outage else { return }
        if let ancestor = allParentsDown(host) {
            if ancestor != behind { classify(host, as: .unreachable(behind: ancestor)) }
        } else if host.recheckAfter == nil {
            host.recheckAfter = Date()
        }
    }

    /// The down ancestor when every parent of `host` is down or unreachable; nil when one is not.
    func allParentsDown(_ host: HostRuntime) -> Int? {
        var first: Int?
        for position in graph.parents[host.position] {
            let parent = hosts[position]
            guard parent.tracker.isDown else { return nil }
            if first == nil { first = cause(of: parent) }
        }
        return first
    }
}
