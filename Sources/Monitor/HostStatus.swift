// What the API shows of one host: its check id, domain and last ping, whether it is down and since when, its
// round-trip time and recent loss, and the incidents this run opened.
import Foundation

package struct HostStatus: Equatable, Sendable {
    /// The check's id in the database; 0 until the database has registered it (after a start without the
    /// database and without a state directory).
    package var id: Int64
    /// The host exactly as configured.
    package var domain: String
    /// When its last ping completed; nil before the first.
    package var lastPerformed: Date?
    /// True from the ping that declared the host down until the one that declared it up.
    package var isDown: Bool
    /// Round-trip time of the last good ping, in milliseconds.
    package var lastRTTMilliseconds: Double?
    /// The last 64 pings' outcomes, for packet loss.
    package var recent = RecentPings()
    /// When the ongoing incident began (its down_detection); nil while up.
    package var downSince: Date?
    /// Incidents this run opened (for /metrics).
    package var incidentsOpened = 0

    package init(id: Int64, domain: String, lastPerformed: Date? = nil, isDown: Bool = false, downSince: Date? = nil) {
        self.id = id
        self.domain = domain
        self.lastPerformed = lastPerformed
        self.isDown = isDown
        self.downSince = downSince
    }

    /// The contract's `status`: a host that has not completed a ping yet is reported up.
    package var reportedUp: Bool { lastPerformed == nil || !isDown }
}
