// An incident: one period of downtime of a check, ongoing while `upDetection` is nil.
import Foundation

public struct Incident: Equatable, Sendable {
    public var id: Int64
    public var checkID: Int64
    public var description: String
    /// Time of the first failed ping of the streak that declared the host down.
    public var downDetection: Date
    /// Time of the first good ping of the streak that declared it up again; nil while ongoing.
    public var upDetection: Date?

    public init(id: Int64, checkID: Int64, description: String, downDetection: Date, upDetection: Date?) {
        self.id = id
        self.checkID = checkID
        self.description = description
        self.downDetection = downDetection
        self.upDetection = upDetection
    }

    public var isOngoing: Bool { upDetection == nil }
}
