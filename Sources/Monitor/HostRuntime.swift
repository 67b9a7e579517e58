// One host's place on the ping queue: its spec, its tracker (the pure state), its timer and schedule, and where
// its pings go — fixed for literals, the latest look-up for names (looked up again every minute, and on every
// tick while it does not resolve). Used on the ping queue only.
import Dispatch
import ICMP
import Platform

final class HostRuntime {
    let position: Int
    let spec: HostSpec
    var tracker: HostTracker
    var timer: DispatchSourceTimer?
    /// When the next tick is due (monotonic nanoseconds), to measure how late ticks fire.
    var nextDue: UInt64?

    var address: SocketAddress?
    var resolving = false
    var resolvedAt: MonotonicInstant?
    var resolutionError: ResolutionError?
    /// What waits for the look-up in progress (starting the timer, at first).
    var afterResolution: [() -> Void] = []

    init(position: Int, spec: HostSpec, tracker: HostTracker) {
        self.position = position
        self.spec = spec
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
}
