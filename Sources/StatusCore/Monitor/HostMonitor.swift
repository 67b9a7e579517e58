// The monitor's per-host state: its address, DNS status, threshold tracker, failure causes and timer.
import Dispatch
import Foundation

/// Mutable state of one watched host. Owned by the ping queue: touched only there.
final class HostMonitor {
    let position: Int
    let spec: HostSpec
    var tracker: HealthTracker
    /// Send time of the first good ping since the last failed one; nil while failing or before any ping.
    var upSince: Date?
    var causes = FailureStreakCauses()
    var timer: DispatchSourceTimer?
    /// When the next tick is due (monotonic), to measure how late ticks fire.
    var nextDue: MonotonicInstant?
    /// The ongoing incident this run opened says only "no reply": a clearer cause may still replace it.
    var incidentSaysOnlyTimeout = false
    /// The ongoing incident's start and cause, for the event that closes it ("" when a restart left only its
    /// start in the journal); nil while up.
    var ongoing: (since: Date, cause: String)?

    /// Where pings go: fixed for literals, the latest look-up for names.
    var address: SocketAddress?
    var resolving = false
    var resolvedAt: MonotonicInstant?
    var resolutionError: ResolutionError?

    init(position: Int, spec: HostSpec, tracker: HealthTracker) {
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
