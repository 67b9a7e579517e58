// An incident: one period of downtime of a check, ongoing while `upDetection` is nil.
import Foundation

package struct Incident: Equatable, Sendable {
    package var id: Int64
    package var checkID: Int64
    package var description: String
    /// Time of the first failed ping of the streak that declared the host down.
    package var downDetection: Date
    /// Time of the first good ping of the streak that declared it up again; nil while ongoing.
    package var upDetection: Date?

    package init(id: Int64, checkID: Int64, description: String, downDetection: Date, upDetection: Date?) {
        self.id = id
        self.checkID = checkID
        self.description = description
        self.downDetection = downDetection
        self.upDetection = upDetection
    }

    package var isOngoing: Bool { upDetection == nil }
}
