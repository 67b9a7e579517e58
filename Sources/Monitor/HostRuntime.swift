// One host's place on the ping queue: its spec and settings, its tracker (the pure state), its timer and
// schedule, where its pings go — fixed for literals, the latest look-up for names (looked up again every minute,
// and on every tick while it does not resolve) — and what the monitor decided about its outage (its kind, a
// parent's verdict it waits for). Used on the ping queue only.
import Dispatch
import Foundation
import ICMP
import Platform

final class HostRuntime {
    let position: Int
    /// A reload removed it: no timer, results of pings in flight are dropped; a reload may bring it back.
    var retired = false
    var spec: HostSpec
    var settings: HostSettings
    var tracker: HostTracker
    var timer: DispatchSourceTimer?
    /// Where its timer sits among the hosts of its interval.
    var schedule = MonitorSchedule(intervalNanoseconds: 1, hostCount: 1)
    var rank = 0
    /// When the next tick is due (monotonic nanoseconds), to measure how late ticks fire.
    var nextDue: UInt64?

    var address: SocketAddress?
    var resolving = false
    var resolvedAt: MonotonicInstant?
    var resolutionError: ResolutionError?
    /// What waits for the look-up in progress (starting the timer, at first).
    var afterResolution: [() -> Void] = []

    /// While down: what kind of outage the monitor decided it is.
    var outage: OutageKind?
    /// The send time and result of the last ping counted.
    var lastResult: (sentAt: Date, success: Bool)?
    /// A ping sent out of schedule to learn whether this host still answers (a child waits on the answer).
    var probing = false
    /// While waiting for a parent's verdict before announcing: until when at most.
    var awaitingUntil: MonotonicInstant?
    /// Children waiting for this host's verdict.
    var waiters: Set<Int> = []
    /// An unreachable host whose way came back: the first failed ping sent after this decides it is down.
    var recheckAfter: Date?

    init(position: Int, spec: HostSpec, settings: HostSettings, tracker: HostTracker) {
        self.position = position
        self.spec = spec
        self.settings = settings
        self.tracker = tracker
        if case .address(let literal) = spec.target { address = literal }
    }

    var name: String? {
        if case .name(let name) = spec.target { return name }
        return nil
    }

    /// Names are looked up again every `refresh` nanoseconds, and on every tick while they do not resolve.
    func needsResolution(now: MonotonicInstant, refresh: UInt64) -> Bool {
        guard name != nil, !resolving else { return false }
        guard let resolvedAt, resolutionError == nil else { return true }
        return now.nanoseconds(since: resolvedAt) >= refresh
    }

    /// Whether one of its maintenance windows holds `date`.
    func inMaintenance(at date: Date) -> Bool {
        !spec.attributes.maintenance.isEmpty && spec.attributes.maintenance.contains(where: { $0.contains(date) })
    }
}
