// The consensus of the live probes' views of one host: whether enough of them see it down (or up) to change
// what the host is, since when, and in words what each saw. The same views give the same verdict on every probe,
// so whichever probe completes the quorum writes the same incident.
import Foundation

package enum Verdict: Equatable, Sendable {
    /// Enough probes see the host down: down since the moment the quorum was complete; `kind` says whether it
    /// is notified (the host's own outage) or recorded only (behind a down ancestor, in maintenance).
    case down(since: Date, description: String, kind: IncidentKind = .own)
    /// Enough probes see it up again: up since the moment that quorum was complete.
    case up(since: Date)
    /// Neither quorum is met, or a probe that sees it down awaits a parent's verdict: the host stays as it is.
    case undecided

    /// The verdict over `views` (the live probes watching the host, one view each) under `quorum`.
    package static func of(_ views: [ProbeView], quorum: Quorum) -> Verdict {
        let required = quorum.required(live: views.count)
        let down = views.filter(\.isDown).sorted { ($0.since, $0.probe) < ($1.since, $1.probe) }
        let up = views.filter { !$0.isDown }.sorted { ($0.since, $0.probe) < ($1.since, $1.probe) }
        if !down.isEmpty, down.count >= required {
            guard let kind = IncidentKind.of(down: down) else { return .undecided }
            return .down(since: down[required - 1].since, description: describe(down: down, up: up), kind: kind)
        }
        if !up.isEmpty, up.count >= required { return .up(since: up[required - 1].since) }
        return .undecided
    }

    /// "no reply to 3 pings (timeout 1s) at home and office; lab still answered". Probes that give different
    /// causes are named with each.
    package static func describe(down: [ProbeView], up: [ProbeView]) -> String {
        var causes: [(cause: String, probes: [String])] = []
        for view in down {
            let cause = view.cause ?? "no reply"
            if let index = causes.firstIndex(where: { $0.cause == cause }) {
                causes[index].probes.append(view.probe)
            } else {
                causes.append((cause, [view.probe]))
            }
        }
        var text = causes.map { "\($0.cause) at \(list($0.probes))" }.joined(separator: "; ")
        if !up.isEmpty { text += "; \(list(up.map(\.probe))) still answered" }
        return text
    }

    private static func list(_ names: [String]) -> String {
        names.count <= 1 ? names.joined() : names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1]
    }
}
