// One host's place on the ping queue: its spec and settings, its tracker (the pure state), its timer and
// schedule, where its pings go — fixed for literals, the latest look-up for names (looked up again every minute,
// and on every tick while it does not resolve) — and what the monitor decided about its outage (its kind, a
// parent's verdict it waits for). Used on the ping queue only.
import Dispatch
import Foundation
import ICMP
import Platform

final class HostRuntime {
    // What every tick and every result touch comes first (stored properties are laid out in this order, and at
    // 10,000 hosts each ping is a cache miss on its host): the spec and what only incidents use come last.
    let position: Int
    /// A reload removed it: no timer, results of pings in flight are dropped; a reload may bring it back.
    var retired = false
    /// When the next tick is due (monotonic nanoseconds), to measure how late ticks fire.
    var nextDue: UInt64?
    /// Where its timer sits among the hosts of its interval.
    var schedule = MonitorSchedule(intervalNanoseconds: 1, hostCount: 1)
    var settings: HostSettings
    var address: SocketAddress?
    var resolving = false
    var resolvedAt: MonotonicInstant?
    var resolutionError: ResolutionError?
    /// The name to look up (nil for an address literal), and whether it has maintenance windows: from `spec`.
    private(set) var name: String?
    private(set) var hasMaintenance = false
    /// The send time and result of the last ping counted.
    var lastResult: (sentAt: Date, success: Bool)?
    /// A ping sent out of schedule to learn whether this host still answers (a child waits on the answer).
    var probing = false
    /// While down: what kind of outage the monitor decided it is.
    var outage: OutageKind?
    /// Children waiting for this host's verdict.
    var waiters: Set<Int> = []
    var tracker: HostTracker

    var spec: HostSpec {
        didSet { takeSpec() }
    }
    var timer: DispatchSourceTimer?
    var rank = 0
    /// What waits for the look-up in progress (starting the timer, at first).
    var afterResolution: [() -> Void] = []
    /// While waiting for a parent's verdict before announcing: until when at most.
    var awaitingUntil: MonotonicInstant?
    /// An unreachable host whose way came back: the first failed ping sent after this decides it is down.
    var recheckAfter: Date?

    init(position: Int, spec: HostSpec, settings: HostSettings, tracker: HostTracker) {
        self.position = position
        self.spec = spec
        self.settings = settings
        self.tracker = tracker
        if case .address(let literal) = spec.target { address = literal }
        takeSpec()
    }

    private func takeSpec() {
        if case .name(let name) = spec.target { self.name = name } else { name = nil }
        hasMaintenance = !spec.attributes.maintenance.isEmpty
    }

    /// Names are looked up again every `refresh` nanoseconds, and on every tick while they do not resolve. `now`
    /// is read only for a name (an address, most hosts, costs no clock read per ping).
    func needsResolution(now: @autoclosure () -> MonotonicInstant, refresh: UInt64) -> Bool {
        guard name != nil, !resolving else { return false }
        guard let resolvedAt, resolutionError == nil else { return true }
        return now().nanoseconds(since: resolvedAt) >= refresh
    }

    /// Whether one of its maintenance windows holds `date`.
    func inMaintenance(at date: Date) -> Bool {
        hasMaintenance && spec.attributes.maintenance.contains(where: { $0.contains(date) })
    }
}
