// What the API shows of one host: its check id, address, name, group and parents, its last ping, its state
// (up, down, unreachable behind which ancestor, maintenance, pending) and since when, its round-trip time and
// recent loss, its round-trip times since start in a few buckets, and the incidents this run opened; with
// several probes on one database, what they agree on (ClusterOverlay).
import Consensus
import Foundation

package struct HostStatus: Equatable, Sendable {
    /// The check's id in the database; 0 until the database has registered it (after a start without the
    /// database and without a state directory).
    package var id: Int64
    /// Its place in the monitor (see StatusBoard): what the uptime figures are kept by.
    package var position = 0
    /// The host exactly as configured.
    package var domain: String
    /// What people see (the host file's `name`, or the address), its group, its parents' addresses as written.
    package var name: String
    package var group: String?
    package var parents: [String] = []
    /// When its last ping completed; nil before the first.
    package var lastPerformed: Date?
    /// True from the ping that declared the host down until the one that declared it up.
    package var isDown: Bool
    /// Up, down, unreachable, maintenance or pending (before its first ping).
    package var state: HostState
    /// The last ping counted had a reply.
    package var answering = false
    /// While down: what kind of outage the monitor made of it (the other probes read it); nil while up.
    package var outage: Outage?
    /// While unreachable: the down ancestor's address.
    package var behind: String?
    /// Round-trip time of the last good ping, in milliseconds.
    package var lastRTTMilliseconds: Double?
    /// The last 64 pings' outcomes, for packet loss.
    package var recent = RecentPings()
    /// This run's answered pings by round-trip time (for /metrics).
    package var rtts = RTTHistogram()
    /// When the ongoing incident began (its down_detection); nil while up.
    package var downSince: Date?
    /// Incidents this run opened (for /metrics).
    package var incidentsOpened = 0
    /// What only several probes need (cause, up since, the consensus), in one shared box that exists only once
    /// one of them is set: a host that never had an incident carries 8 bytes for it, in every copy of the board.
    private var facts: ProbeFacts?

    /// While down: this probe's cause ("no reply to 3 pings (timeout 1s)").
    package var cause: String? {
        get { facts?.cause }
        set { facts = ProbeFacts(cause: newValue, upSince: upSince, cluster: cluster) }
    }

    /// Since when this probe has seen the host up: its last incident's up detection; nil if it never was down.
    package var upSince: Date? {
        get { facts?.upSince }
        set { facts = ProbeFacts(cause: cause, upSince: newValue, cluster: cluster) }
    }

    /// When other live probes watch the host too: their consensus and each probe's view; nil otherwise (a lone
    /// probe reports its own view, as it always has).
    package var cluster: ClusterOverlay? {
        get { facts?.cluster }
        set { facts = ProbeFacts(cause: cause, upSince: upSince, cluster: newValue) }
    }

    package init(id: Int64, domain: String, lastPerformed: Date? = nil, isDown: Bool = false, downSince: Date? = nil) {
        self.id = id
        self.domain = domain
        self.name = domain
        self.lastPerformed = lastPerformed
        self.isDown = isDown
        self.downSince = downSince
        self.state = isDown ? .down : (lastPerformed == nil ? .pending : .up)
    }

    /// A configured host, down since `downSince` when an incident was ongoing at start.
    package init(spec: HostSpec, id: Int64, downSince: Date?) {
        self.init(id: id, domain: spec.domain, isDown: downSince != nil, downSince: downSince)
        describe(spec)
    }

    /// Takes the name, group and parents of `spec`.
    package mutating func describe(_ spec: HostSpec) {
        name = spec.name
        group = spec.attributes.group
        parents = spec.attributes.parents
    }

    /// Applies `change`; true when what is reported of the host (status, state, the ancestor it is behind, the
    /// probes' consensus) moved.
    mutating func change(_ change: (inout HostStatus) -> Void) -> Bool {
        let before = (reportedUp, state, behind, cluster)
        change(&self)
        return before != (reportedUp, state, behind, cluster)
    }

    /// The contract's `state`: this probe's own, unless the probes' consensus says otherwise (down, or up again
    /// while this probe alone still sees it down).
    package var reportedState: HostState {
        guard let cluster, cluster.view == .consensus else { return state }
        if cluster.down { return state == .unreachable || state == .maintenance ? state : .down }
        return state == .down || state == .unreachable ? .up : state
    }

    /// What the uptime figures' `down_for_s` counts from.
    package var figuresDownSince: Date? { cluster?.view == .consensus ? reportedDownSince : downSince }

    /// The contract's `down_since`: the consensus incident's start when probes agree, else this probe's.
    package var reportedDownSince: Date? {
        if reportedUp { return nil }
        if let cluster, cluster.view == .consensus { return cluster.downSince ?? downSince }
        return downSince
    }

    /// The contract's `status`: a host that has not completed a ping yet is reported up; in maintenance it says
    /// whether the host answers; otherwise false while down or unreachable.
    package var reportedUp: Bool {
        if let cluster, cluster.view == .consensus { return !cluster.down }
        if lastPerformed == nil { return true }
        if state == .maintenance { return answering }
        return !isDown
    }
}

/// HostStatus's rarely set fields, immutable: a change makes a new box, so copies of the board never share a
/// mutation.
final class ProbeFacts: Equatable, Sendable {
    let cause: String?
    let upSince: Date?
    let cluster: ClusterOverlay?

    init?(cause: String?, upSince: Date?, cluster: ClusterOverlay?) {
        if cause == nil, upSince == nil, cluster == nil { return nil }
        self.cause = cause
        self.upSince = upSince
        self.cluster = cluster
    }

    static func == (a: ProbeFacts, b: ProbeFacts) -> Bool {
        a === b || (a.cause == b.cause && a.upSince == b.upSince && a.cluster == b.cluster)
    }
}
