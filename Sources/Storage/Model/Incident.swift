// An incident: one period of downtime of a check, ongoing while `upDetection` is nil; for a host unreachable
// behind another, the other's incident is its parent; one that began inside a maintenance window is marked so.
import Foundation

package struct Incident: Equatable, Sendable {
    package var id: Int64
    package var checkID: Int64
    package var description: String
    /// Time of the first failed ping of the streak that declared the host down.
    package var downDetection: Date
    /// Time of the first good ping of the streak that declared it up again; nil while ongoing.
    package var upDetection: Date?
    /// The incident of the down ancestor this host was unreachable behind.
    package var parentIncidentID: Int64?
    /// It began inside one of the host's maintenance windows (it was not notified).
    package var maintenance: Bool

    package init(id: Int64, checkID: Int64, description: String, downDetection: Date, upDetection: Date?,
                 parentIncidentID: Int64? = nil, maintenance: Bool = false) {
        self.parentIncidentID = parentIncidentID
        self.maintenance = maintenance
        self.id = id
        self.checkID = checkID
        self.description = description
        self.downDetection = downDetection
        self.upDetection = upDetection
    }

    package var isOngoing: Bool { upDetection == nil }
}
