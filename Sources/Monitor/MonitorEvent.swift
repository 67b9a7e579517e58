// The monitor's one outgoing stream: every ping's result (counted in send order) and every incident it opens,
// closes, describes better or takes over, and every reload of the host file applied. The status board, the store writer, the uptime ledger, the metrics and
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
    /// The ongoing incident turned out to be another kind of outage: a host waiting for its parent's verdict,
    /// a host behind an ancestor that came back while it still does not answer, a maintenance window's end.
    case incidentClassified(IncidentClassified)
    /// A reloaded host file was applied: hosts added, changed or removed (a removed host keeps its place, retired).
    case hostsChanged(HostsChanged)
}

/// What a reload changed. Places are never reused: a new host takes the next one, a host added back its old one.
package struct HostsChanged: Sendable {
    /// Every host now watched, in configuration order, with its place.
    package var hosts: [(position: Int, spec: HostSpec)]
    /// Places of hosts that start being watched: new to this run, or back after a removal.
    package var added: [Int]
    /// Places of hosts no longer watched.
    package var retired: [Int]

    package init(hosts: [(position: Int, spec: HostSpec)], added: [Int], retired: [Int]) {
        self.hosts = hosts
        self.added = added
        self.retired = retired
    }
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
    /// What people see after this ping.
    package var state: HostState

    package init(host: Int, domain: String, outcome: PingOutcome, sentAt: Date, completedAt: Date, isDown: Bool,
                 downSince: Date?, flipped: Bool, state: HostState? = nil) {
        self.state = state ?? (isDown ? .down : .up)
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
    /// The incident's description: the host's own cause, or "unreachable: behind …".
    package var cause: String
    package var downDetection: Date
    /// What kind of outage it is (decides notifications and the incident's marks).
    package var kind: OutageKind = .down(announced: true)
    /// For an unreachable host: the ancestor it is behind.
    package var behind: Behind?
    /// Every host below this one in the host file, for the notification.
    package var dependents: [String] = []

    package init(host: Int, domain: String, cause: String, downDetection: Date, kind: OutageKind = .down(announced: true),
                 behind: Behind? = nil, dependents: [String] = []) {
        self.host = host
        self.domain = domain
        self.cause = cause
        self.downDetection = downDetection
        self.kind = kind
        self.behind = behind
        self.dependents = dependents
    }

    package var maintenance: Bool { kind == .maintenance }
}

package struct IncidentClassified: Sendable, Equatable {
    package var host: Int
    package var domain: String
    package var cause: String
    package var downDetection: Date
    package var kind: OutageKind
    package var behind: Behind?
    package var dependents: [String]
    /// The incident is to be notified now, as if it opened now (it had not been).
    package var announceNow: Bool
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
    /// seen answering: it is closed, but nobody is told again. Also false for an outage whose opening was not
    /// notified (unreachable, maintenance, a parent's verdict still awaited).
    package var announced: Bool
    package var dependents: [String] = []
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
