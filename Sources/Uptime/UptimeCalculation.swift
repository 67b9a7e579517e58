// How uptime is computed from incidents: over a window ending now, the share of the time the host was watched
// during which it was not down. Time nobody watched (before the check existed, while the daemon was stopped or
// crashed) counts neither as up nor as down.
import Encoding
import Foundation

/// The figures a check carries beside the contract's fields.
package struct HostFigures: Equatable, Sendable {
    /// Uptime in percent over the last 24 hours, 7 days and 30 days; nil when no time of that window was watched.
    package var uptime24h: Double?
    package var uptime7d: Double?
    package var uptime30d: Double?
    /// How long the ongoing incident has lasted; nil while up.
    package var downForSeconds: Double?

    package init(uptime24h: Double? = nil, uptime7d: Double? = nil, uptime30d: Double? = nil, downForSeconds: Double? = nil) {
        self.uptime24h = uptime24h
        self.uptime7d = uptime7d
        self.uptime30d = uptime30d
        self.downForSeconds = downForSeconds
    }
}

package enum UptimeCalculation {
    package static let day: Double = 86_400
    /// The longest window: how much history the ledger keeps and the database hands over at registration.
    package static let longestWindow: Double = 30 * day

    /// Uptime in percent over [now − window, now]:
    ///   watched  = the window from `watchedSince` on, minus the gaps;
    ///   down     = the union of the incidents (an ongoing one lasts until now) within the watched time;
    ///   uptime   = 100 × (watched − down) / watched, nil when nothing of the window was watched.
    package static func percent(window: Double, now: Date, watchedSince: Date,
                               incidents: [(down: Date, up: Date?)], gaps: [(from: Date, until: Date)]) -> Double? {
        percent(window: window, now: now, watchedSince: watchedSince, incidents: incidents,
                gaps: TimeSpans(gaps.map { (start: $0.from.unixMilliseconds, end: $0.until.unixMilliseconds) }))
    }

    /// The same with the gaps already merged (they are shared by every host).
    static func percent(window: Double, now: Date, watchedSince: Date,
                        incidents: [(down: Date, up: Date?)], gaps: TimeSpans) -> Double? {
        let end = now.unixMilliseconds
        let start = max(end - Int64(window * 1000), watchedSince.unixMilliseconds)
        guard end > start else { return nil }
        let unwatched = gaps.clipped(to: start, end)
        let watched = (end - start) - unwatched.length
        guard watched > 0 else { return nil }
        guard !incidents.isEmpty else { return 100 }
        let down = TimeSpans(incidents.map { (start: $0.down.unixMilliseconds, end: $0.up?.unixMilliseconds ?? end) })
            .clipped(to: start, end)
            .subtracting(unwatched)
            .length
        return 100 * Double(watched - down) / Double(watched)
    }
}
