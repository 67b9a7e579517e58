// What the store reads back for the uptime figures and the incidents endpoint: the checks' recent history, and
// the filter the endpoint's query parameters make.
import Foundation

/// Everything the uptime figures need from the last 30 days: since when each check exists, the incidents that
/// were ongoing at some time since then, and the gaps nobody watched.
public struct StoredHistory: Sendable, Equatable {
    /// When each check (by id) was first registered: time before that was not watched.
    public var watchedSince: [Int64: Date]
    public var incidents: [Incident]
    public var gaps: [MonitorGap]

    public init(watchedSince: [Int64: Date], incidents: [Incident], gaps: [MonitorGap]) {
        self.watchedSince = watchedSince
        self.incidents = incidents
        self.gaps = gaps
    }
}

/// Which incidents `GET /status/service/{domain}/incidents` lists: those overlapping [since, until] (an ongoing
/// one lasts until now), newest first, at most `limit`.
public struct IncidentFilter: Sendable, Equatable {
    public var since: Date?
    public var until: Date?
    public var limit: Int?

    public init(since: Date? = nil, until: Date? = nil, limit: Int? = nil) {
        self.since = since
        self.until = until
        self.limit = limit
    }

    public static let all = IncidentFilter()

    /// True when `incident` is listed (for stores that filter in memory).
    public func admits(_ incident: Incident) -> Bool {
        if let since, let up = incident.upDetection, up < since { return false }
        if let until, incident.downDetection > until { return false }
        return true
    }
}
