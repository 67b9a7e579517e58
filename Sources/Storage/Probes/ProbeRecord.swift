// What the database holds of probes: each probe's row (name, first and last seen, version, interval, how many
// hosts it watches, live or not by the database's clock), and one probe's observation of one host.
import Consensus
import Foundation

/// A probe as the probes table holds it.
package struct ProbeRecord: Equatable, Sendable {
    package var name: String
    package var firstSeen: Date
    package var lastSeen: Date
    package var version: String
    package var intervalMilliseconds: Int64
    package var hosts: Int64
    /// It wrote within 3 × its interval + 10 s, by the database's clock.
    package var live: Bool

    package init(name: String, firstSeen: Date, lastSeen: Date, version: String, intervalMilliseconds: Int64,
                 hosts: Int64, live: Bool) {
        self.name = name
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.version = version
        self.intervalMilliseconds = intervalMilliseconds
        self.hosts = hosts
        self.live = live
    }
}

/// One probe's view of one check (`view.probe` is the probe that wrote it).
package struct Observation: Equatable, Sendable {
    package var checkID: Int64
    package var view: ProbeView

    package init(checkID: Int64, view: ProbeView) {
        self.checkID = checkID
        self.view = view
    }
}

/// A probe's stored view of a check, and whether that probe is live.
package struct StoredView: Equatable, Sendable {
    package var view: ProbeView
    package var live: Bool

    package init(view: ProbeView, live: Bool) {
        self.view = view
        self.live = live
    }
}
