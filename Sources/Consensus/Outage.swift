// What kind of outage a probe sees while a host is down, as its monitor decided it (parents, maintenance), and
// what the probes' views of a down host make of the shared incident: notified, or recorded only.
import Foundation

/// One probe's kind of outage: stored with its view of the host.
package enum Outage: String, Equatable, Sendable {
    /// Down on its own: its monitor notified it (or would have, alone).
    case own
    /// Down, and the monitor waits for a parent's verdict (at most the parent's detection bound).
    case awaiting
    /// Behind a down ancestor (the view's `behind`).
    case unreachable
    /// The outage began inside one of the host's maintenance windows.
    case maintenance
}

/// What the consensus incident is: notified as the host's own, or recorded without a notification because it is
/// behind a down ancestor or began in a maintenance window.
package enum IncidentKind: Equatable, Sendable {
    case own
    case unreachable(behind: String)
    case maintenance

    package var announced: Bool { self == .own }

    /// The kind the down views agree on; nil while a view awaits its parent's verdict and none sees the host
    /// down on its own. A window any probe's host file has counts (nothing is notified in it); then one probe
    /// that sees the host down on its own makes it the host's own; unreachable only when every view is, behind
    /// the ancestor most of them name.
    package static func of(down views: [ProbeView]) -> IncidentKind? {
        let outages = views.map { $0.outage ?? .own }
        if outages.contains(.maintenance) { return .maintenance }
        if outages.contains(.own) { return .own }
        if outages.contains(.awaiting) { return nil }
        let named = views.compactMap(\.behind)
        var counts: [String: Int] = [:]
        for behind in named { counts[behind, default: 0] += 1 }
        guard let top = counts.values.max(), let behind = named.first(where: { counts[$0] == top }) else { return .own }
        return .unreachable(behind: behind)
    }
}
