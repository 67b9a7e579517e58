// What the store reads back for the uptime figures and the incidents endpoint: the checks' recent history, and
// the filter the endpoint's query parameters make.
import Foundation

/// Everything the uptime figures need from the last 30 days: since when each check exists, the incidents that
/// were ongoing at some time since then, and the gaps nobody watched.
package struct StoredHistory: Sendable, Equatable {
    /// When each check (by id) was first registered: time before that was not watched.
    package var watchedSince: [Int64: Date]
    package var incidents: [Incident]
    package var gaps: [MonitorGap]

    package init(watchedSince: [Int64: Date], incidents: [Incident], gaps: [MonitorGap]) {
        self.watchedSince = watchedSince
        self.incidents = incidents
        self.gaps = gaps
    }
}

/// Which incidents `GET /status/service/{domain}/incidents` lists: those overlapping [since, until] (an ongoing
/// one lasts until now), newest first, at most `limit`.
package struct IncidentFilter: Sendable, Equatable {
    package var since: Date?
    package var until: Date?
    package var limit: Int?

    package init(since: Date? = nil, until: Date? = nil, limit: Int? = nil) {
        self.since = since
        self.until = until
        self.limit = limit
    }

    package static let all = IncidentFilter()

    /// True when `incident` is listed (for stores that filter in memory).
    package func admits(_ incident: Incident) -> Bool {
        if let since, let up = incident.upDetection, up < since { return false }
        if let until, incident.downDetection > until { return false }
        return true
    }
}
