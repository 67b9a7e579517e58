// The monitor's one outgoing stream: every ping's result (counted in send order) and every incident it opens,
// closes, describes better or takes over. The status board, the store writer, the uptime ledger, the metrics and
// the webhooks subscribe; the monitor never reads any of them back.
import Foundation
import ICMP

package enum MonitorEvent: Sendable {
    case pinged(PingReport)
    case incidentOpened(IncidentOpened)
    case incidentClosed(IncidentClosed)
    /// A clearer cause for the ongoing incident arrived (an ICMP error after the pings had timed out).
    case incidentDescribed(IncidentDescribed)
    /// The host takes over an ongoing incident the database knew of and this run did not (it started without a
    /// state directory): it is down, and nothing new is opened.
    case incidentAdopted(IncidentOpened)
}

/// One completed ping, once it counted.
package struct PingReport: Sendable {
    /// The host's place in the configuration, and its domain as configured.
    package var host: Int
    package var domain: String
    package var outcome: PingOutcome
    /// When the echo was sent (the time incidents use) and when the ping completed (`last_performed`).
    package var sentAt: Date
    package var completedAt: Date
    /// The host's state after this ping.
    package var isDown: Bool
    /// The ongoing incident's start while down.
    package var downSince: Date?
    /// This ping declared the host down or up.
    package var flipped: Bool

    package init(host: Int, domain: String, outcome: PingOutcome, sentAt: Date, completedAt: Date, isDown: Bool,
                 downSince: Date?, flipped: Bool) {
        self.host = host
        self.domain = domain
        self.outcome = outcome
        self.sentAt = sentAt
        self.completedAt = completedAt
        self.isDown = isDown
        self.downSince = downSince
        self.flipped = flipped
    }

    package var succeeded: Bool {
        if case .reply = outcome { return true }
        return false
    }
}

package struct IncidentOpened: Sendable, Equatable {
    package var host: Int
    package var domain: String
    package var cause: String
    package var downDetection: Date
}

package struct IncidentClosed: Sendable, Equatable {
    package var host: Int
    package var domain: String
    /// The cause as last known ("" when a restart left only the incident's start).
    package var cause: String
    /// Nil when this run never knew when it began.
    package var downDetection: Date?
    package var upDetection: Date
    /// False for an incident an earlier run left open that the database handed over after the host was already
    /// seen answering: it is closed, but nobody is told again.
    package var announced: Bool
}

package struct IncidentDescribed: Sendable, Equatable {
    package var host: Int
    package var domain: String
    package var cause: String
}

/// Hears every event, on the ping queue, in order; must return at once (no blocking work).
package protocol MonitorObserver: AnyObject, Sendable {
    func monitor(_ event: MonitorEvent)
}
