// A change of what the database should record, keyed by domain (a check's id may not be known yet when the
// database has not been reached since start). Incidents, flips and monitoring gaps are journaled before they
// are written; a ping that changes only `last_performed` is not.
import Foundation

package enum StateChange: Sendable, Equatable {
    /// A ping that did not change the check's up/down state: batched, not journaled.
    case performed(domain: String, at: Date, status: Bool)
    /// A ping that turned the check down or up: written at once, in order with the incident.
    case flipped(domain: String, at: Date, status: Bool)
    case opened(domain: String, description: String, downDetection: Date, marks: IncidentMarks = IncidentMarks())
    /// Closes the check's ongoing incident if it began no later than `upDetection`.
    case closed(domain: String, upDetection: Date)
    /// A clearer cause for the check's ongoing incident.
    case described(domain: String, description: String)
    /// The ongoing incident is another kind of outage than it was opened as (unreachable behind an ancestor,
    /// or down on its own after all): its description and marks.
    case classified(domain: String, description: String, marks: IncidentMarks)
    /// A time nobody watched: the daemon was stopped (`reason` "stopped") or had crashed ("crashed").
    case gap(from: Date, until: Date, reason: String)
}

/// What an incident is besides its description: the ancestor's incident it is behind (named by the ancestor's
/// domain and that incident's start, which the store turns into `parent_incident_id`), and whether it began in
/// a maintenance window.
package struct IncidentMarks: Sendable, Equatable {
    package var parentDomain: String?
    package var parentDownDetection: Date?
    package var maintenance: Bool

    package init(parentDomain: String? = nil, parentDownDetection: Date? = nil, maintenance: Bool = false) {
        self.parentDomain = parentDomain
        self.parentDownDetection = parentDownDetection
        self.maintenance = maintenance
    }
}
