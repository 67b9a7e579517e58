// What several probes on one database say of a host that more than one of them watches: the consensus (down or
// up, and since when, from the database's ongoing incident), each live probe's own view, and whether this probe
// could read them lately ("consensus") or serves its own view because it lost the database ("local").
import Consensus
import Foundation

package struct ClusterOverlay: Equatable, Sendable {
    package enum View: String, Sendable {
        case consensus
        case local
    }

    package var view: View
    /// The consensus: the host has an ongoing incident.
    package var down: Bool
    /// That incident's down detection.
    package var downSince: Date?
    /// Every live probe's view of the host, this probe's own included, by probe name.
    package var probes: [ProbeView]

    package init(view: View, down: Bool, downSince: Date?, probes: [ProbeView]) {
        self.view = view
        self.down = down
        self.downSince = downSince
        self.probes = probes
    }
}
