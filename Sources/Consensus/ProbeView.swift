// One probe's own view of one host, as it wrote it to the database: up or down since when, its last ping, and
// (while down) why, and what kind of outage it is.
import Foundation

package struct ProbeView: Equatable, Sendable {
    package var probe: String
    package var isDown: Bool
    /// When this probe's view took its present status (its own down or up detection).
    package var since: Date
    package var lastPerformed: Date?
    package var rttMilliseconds: Double?
    package var lossPercent: Double?
    /// While down: the probe's cause ("no reply to 3 pings (timeout 1s)"); nil while up.
    package var cause: String?
    /// While down: what kind of outage this probe's monitor made of it; nil while up (and in older rows: own).
    package var outage: Outage?
    /// While unreachable: the down ancestor's address.
    package var behind: String?

    package init(probe: String, isDown: Bool, since: Date, lastPerformed: Date? = nil, rttMilliseconds: Double? = nil,
                 lossPercent: Double? = nil, cause: String? = nil, outage: Outage? = nil, behind: String? = nil) {
        self.probe = probe
        self.isDown = isDown
        self.since = since
        self.lastPerformed = lastPerformed
        self.rttMilliseconds = rttMilliseconds
        self.lossPercent = lossPercent
        self.cause = cause
        self.outage = outage
        self.behind = behind
    }
}
