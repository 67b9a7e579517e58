// Why one ping failed, and the plain-words incident description built from a streak of failures.

/// The cause of one failed ping.
public enum FailureCause: Equatable, Sendable {
    case timeout
    /// An ICMP error about our echo: `kind` in plain words ("host unreachable"), `reportedBy` the sender's address.
    case icmpError(kind: String, reportedBy: String)
    /// The name did not resolve; `reason` is the resolver's text.
    case dns(name: String, reason: String)
    /// The ping could not be sent at all (no route, no socket).
    case sendFailed(String)

    /// The incident description for a streak of `failures` failed pings whose most telling cause is `self`.
    /// Timeouts only tell when nothing else does, so callers pass the last non-timeout cause of the streak if any.
    public func incidentDescription(failures: Int, timeout: ConfigDuration) -> String {
        switch self {
        case .timeout:
            return "no reply to \(failures) ping\(failures == 1 ? "" : "s") (timeout \(timeout))"
        case .icmpError(let kind, let reportedBy):
            return "\(kind), reported by \(reportedBy)"
        case .dns(let name, let reason):
            return "DNS lookup of \(name) failed: \(reason)"
        case .sendFailed(let reason):
            return "ping could not be sent: \(reason)"
        }
    }
}

/// Remembers the causes of the current failure streak and names the most telling one.
public struct FailureStreakCauses: Equatable, Sendable {
    public private(set) var failures = 0
    public private(set) var telling: FailureCause?

    public init() {}

    public mutating func record(_ cause: FailureCause) {
        failures += 1
        if cause != .timeout { telling = cause }
    }

    /// A late ICMP error for a ping already counted as a timeout still names the cause.
    public mutating func explainLate(_ cause: FailureCause) {
        if failures > 0 { telling = cause }
    }

    public mutating func reset() {
        failures = 0
        telling = nil
    }

    public func description(timeout: ConfigDuration) -> String {
        (telling ?? .timeout).incidentDescription(failures: max(failures, 1), timeout: timeout)
    }
}
