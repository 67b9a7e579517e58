// What one ping came to, as the pinger reports it to the monitor.
import Foundation

public enum PingOutcome: Equatable, Sendable {
    case reply(rttMilliseconds: Double)
    case timeout
    /// An ICMP error about our echo: `kind` in plain words, `reportedBy` the sender's address as text.
    case icmpError(kind: String, reportedBy: String)
    /// The echo could not be sent (e.g. "sendto(198.51.100.7) failed: Network is unreachable").
    case sendFailed(String)
}

public struct PingResult: Sendable {
    public var outcome: PingOutcome
    /// When the echo was sent (wall clock, the time incidents use).
    public var sentAt: Date
    /// When the ping completed: reply or error received, or deadline passed.
    public var completedAt: Date

    public init(outcome: PingOutcome, sentAt: Date, completedAt: Date) {
        self.outcome = outcome
        self.sentAt = sentAt
        self.completedAt = completedAt
    }
}
