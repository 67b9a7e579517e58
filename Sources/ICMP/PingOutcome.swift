// What one ping came to, as the pinger reports it: a reply with its round-trip time, or why it failed. The
// monitor keeps these causes as they are (a DNS failure is one more way for a ping to fail without being sent).
import Foundation

/// Why one ping failed.
package enum PingFailure: Equatable, Sendable {
    /// No reply within the timeout.
    case timeout
    /// An ICMP error about our echo: `kind` in plain words ("host unreachable"), `reportedBy` the sender's address.
    case icmpError(kind: String, reportedBy: String)
    /// The echo could not be sent (e.g. "sendto(198.51.100.7) failed: Network is unreachable").
    case sendFailed(String)
    /// The host's name did not resolve, so there was nothing to send to; `reason` is the resolver's text.
    case unresolved(name: String, reason: String)
}

package enum PingOutcome: Equatable, Sendable {
    case reply(rttMilliseconds: Double)
    case failed(PingFailure)
}

/// Whom a ping is for, in the caller's terms: the host's place in its list, and the ping's number in that host's
/// own sequence (so the caller can apply results in the order the pings were sent).
package struct PingTag: Hashable, Sendable {
    package var host: Int
    package var number: UInt32

    package init(host: Int, number: UInt32) {
        self.host = host
        self.number = number
    }
}

package struct PingResult: Sendable {
    package var outcome: PingOutcome
    /// When the echo was sent (wall clock, the time incidents use).
    package var sentAt: Date
    /// When the ping completed: reply or error received, or deadline passed.
    package var completedAt: Date

    package init(outcome: PingOutcome, sentAt: Date, completedAt: Date) {
        self.outcome = outcome
        self.sentAt = sentAt
        self.completedAt = completedAt
    }
}
