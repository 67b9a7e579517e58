// The causes of a streak of failed pings, and the plain-words incident description built from them: a timeout
// only tells when nothing else does, so an ICMP error or a DNS failure in the streak names the incident.
import Encoding
import ICMP

extension PingFailure {
    /// The incident description for a streak of `failures` failed pings whose most telling cause is `self`.
    package func incidentDescription(failures: Int, timeout: ConfigDuration) -> String {
        switch self {
        case .timeout:
            return "no reply to \(failures) ping\(failures == 1 ? "" : "s") (timeout \(timeout))"
        case .icmpError(let kind, let reportedBy):
            return "\(kind), reported by \(reportedBy)"
        case .unresolved(let name, let reason):
            return "DNS lookup of \(name) failed: \(reason)"
        case .sendFailed(let reason):
            return "ping could not be sent: \(reason)"
        }
    }
}

/// Remembers the causes of the current failure streak and names the most telling one.
package struct FailureStreakCauses: Equatable, Sendable {
    package private(set) var failures = 0
    package private(set) var telling: PingFailure?

    package init() {}

    package mutating func record(_ cause: PingFailure) {
        failures += 1
        if cause != .timeout { telling = cause }
    }

    /// A late ICMP error for a ping already counted as a timeout still names the cause.
    package mutating func explainLate(_ cause: PingFailure) {
        if failures > 0 { telling = cause }
    }

    package mutating func reset() {
        failures = 0
        telling = nil
    }

    package func description(timeout: ConfigDuration) -> String {
        (telling ?? .timeout).incidentDescription(failures: max(failures, 1), timeout: timeout)
    }
}
