// What a host is, as people see it, and what kind of outage its ongoing incident is: its own ("down"), its
// ancestor's ("unreachable": it stopped answering while every way to it is down), or inside a maintenance window.
import Consensus
import Foundation

package enum HostState: String, Sendable, CaseIterable {
    /// Not pinged yet.
    case pending
    case up
    case down
    /// Not answering while every parent is down or unreachable itself.
    case unreachable
    /// Inside one of its maintenance windows (whether it answers or not).
    case maintenance
}

/// What the monitor decided about a host's ongoing incident; it decides notifications and the incident's marks.
package enum OutageKind: Equatable, Sendable {
    /// The host's own outage. `announced`: its opening was notified (not yet while a parent's verdict is awaited).
    case down(announced: Bool)
    /// Behind `behind`, the down ancestor whose incident is the parent of this one.
    case unreachable(behind: Int)
    /// Began inside a maintenance window: recorded, not notified.
    case maintenance

    package var announced: Bool {
        if case .down(true) = self { return true }
        return false
    }

    /// The kind the other probes read in this probe's view.
    package var outage: Outage {
        switch self {
        case .down(let announced): return announced ? .own : .awaiting
        case .unreachable: return .unreachable
        case .maintenance: return .maintenance
        }
    }

    package var state: HostState {
        switch self {
        case .down: return .down
        case .unreachable: return .unreachable
        case .maintenance: return .maintenance
        }
    }
}

/// The ancestor an unreachable host is behind, and its incident (by its start, which names it in the store).
package struct Behind: Sendable, Equatable {
    package var domain: String
    package var downDetection: Date

    package init(domain: String, downDetection: Date) {
        self.domain = domain
        self.downDetection = downDetection
    }
}
