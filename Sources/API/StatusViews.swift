// The bodies of /status and /status/down, serialised once per change of the status board and reused by every
// request until the next change, with an ETag so polling dashboards get 304 Not Modified.
//
// A host going down or up is served at once. A ping that changes only `last_performed` (or the round-trip
// time, loss and uptime figures, which are computed when a view is built) is served within `refreshInterval`
// (half a second): every ping changes the board, and re-serialising
// ten thousand hosts on every ping would cost more than all the pinging.
//
// Two levels, so that requests take no lock: `StatusViews` is shared by the event loops and builds a new
// `StatusView` when the board has moved on; each event loop's handler keeps the view it last used in a
// `LoopStatusCache` and only compares the board's atomic versions on a request.
import Encoding
import Foundation
import Monitor
import Platform
import Synchronization
import Uptime

/// One serialised state of the board. Immutable, so event loops share it freely.
final class StatusView: Sendable {
    let version: UInt64
    let stateVersion: UInt64
    /// Until then, this view may stand for a newer board whose hosts are all still up or down as here.
    let refreshAfter: MonotonicInstant
    let all: [UInt8]
    let down: [UInt8]
    /// The same two bodies for each group of the host file (`?group=`).
    let groups: [String: (all: [UInt8], down: [UInt8])]
    /// A strong validator: this process's random tag and the board's version.
    let etag: String

    init(version: UInt64, stateVersion: UInt64, refreshAfter: MonotonicInstant, hosts: [HostStatus], processTag: String,
         ledger: UptimeLedger?) {
        self.version = version
        self.stateVersion = stateVersion
        self.refreshAfter = refreshAfter
        // Only the bodies are kept: a view lives on in every event loop that served it, and a copy of ten
        // thousand hosts per view would double what the bodies cost.
        let figures = ledger?.figures(hosts.map { ($0.position, $0.downSince) }, now: Date())
            ?? Array(repeating: HostFigures(), count: hosts.count)
        all = Self.body(hosts, figures) { _ in true }
        down = Self.body(hosts, figures) { !$0.reportedUp }
        var groups: [String: (all: [UInt8], down: [UInt8])] = [:]
        for group in Set(hosts.compactMap(\.group)) {
            groups[group] = (Self.body(hosts, figures) { $0.group == group },
                             Self.body(hosts, figures) { $0.group == group && !$0.reportedUp })
        }
        self.groups = groups
        etag = "\"\(processTag)-\(version)\""
    }

    /// The body of /status (`down` false) or /status/down, of every host or of one group's.
    func body(down: Bool, group: String?) -> [UInt8] {
        guard let group else { return down ? self.down : all }
        guard let bodies = groups[group] else { return Array("[]".utf8) }
        return down ? bodies.down : bodies.all
    }

    /// A JSON array of the checks of the hosts `listed` admits.
    private static func body(_ hosts: [HostStatus], _ figures: [HostFigures], listed: (HostStatus) -> Bool) -> [UInt8] {
        // About 310 bytes a check with no name or group (measured); sized so a body is written without growing.
        var json = JSONBuffer(capacity: 2 + hosts.count(where: listed) * 400)
        json.raw("[")
        var first = true
        for index in hosts.indices where listed(hosts[index]) {
            if !first { json.raw(",") }
            first = false
            Payloads.check(CheckView(host: hosts[index], figures: figures[index]), into: &json)
        }
        json.raw("]")
        return json.bytes
    }
}

/// Builds a view at most once per board change, and for changes of `last_performed` only at most once per
/// `refreshInterval`; shared by every event loop.
package final class StatusViews: Sendable {
    let board: StatusBoard
    private let refreshNanoseconds: UInt64
    /// The newest view built; the lock is also what makes a second loop wait while one builds.
    private let latest = Mutex<StatusView?>(nil)
    /// Tells this process's ETags from an earlier run's, whose versions started at 0 too.
    private let processTag = String(UInt64.random(in: 0...UInt64.max), radix: 36)

    let ledger: UptimeLedger?

    package init(board: StatusBoard, ledger: UptimeLedger? = nil, refreshInterval: Double = 0.5) {
        self.board = board
        self.ledger = ledger
        self.refreshNanoseconds = UInt64(max(0, refreshInterval) * 1e9)
    }

    /// True while `view` may be served for the board as it is now: nothing changed, or only times within the
    /// refresh interval.
    func isCurrent(_ view: StatusView) -> Bool {
        if view.version == board.version { return true }
        return view.stateVersion == board.stateVersion && MonotonicInstant.now() < view.refreshAfter
    }

    /// The current view, built now if needed; waits while another loop builds it.
    func current() -> StatusView {
        latest.withLock { newest(&$0) }
    }

    /// Like `current()`, but nil instead of waiting while another loop is building it.
    func currentIfFree() -> StatusView? {
        latest.withLockIfAvailable { newest(&$0) }
    }

    /// One host as it is now, with its figures (for the endpoints of one host, and the badge).
    func check(at position: Int) -> CheckView {
        let host = board.host(at: position)
        return CheckView(host: host, figures: ledger?.figures(position: position, downSince: host.downSince, now: Date())
                                                ?? HostFigures())
    }

    /// Every host as it is now, with its figures (for /metrics).
    func checks() -> [CheckView] {
        let hosts = board.snapshot()
        let figures = ledger?.figures(hosts.map { ($0.position, $0.downSince) }, now: Date())
            ?? Array(repeating: HostFigures(), count: hosts.count)
        return zip(hosts, figures).map { CheckView(host: $0, figures: $1) }
    }


    private func newest(_ latest: inout StatusView?) -> StatusView {
        if let latest, isCurrent(latest) { return latest }
        let (hosts, version, stateVersion) = board.versionedSnapshot()
        let view = StatusView(version: version, stateVersion: stateVersion,
                              refreshAfter: MonotonicInstant.now().adding(nanoseconds: refreshNanoseconds),
                              hosts: hosts, processTag: processTag, ledger: ledger)
        latest = view
        return view
    }
}

/// One event loop's copy of the current view. Not thread-safe: used only by the loop that owns it.
struct LoopStatusCache {
    private let views: StatusViews
    private var view: StatusView?

    init(views: StatusViews) {
        self.views = views
    }

    /// The current view: an atomic load or two while the board is unchanged; after a change, the shared view,
    /// unless another loop is building it at this moment (then the previous view, as if the request came a
    /// moment earlier).
    mutating func current() -> StatusView {
        guard let view else {
            let first = views.current()
            self.view = first
            return first
        }
        if views.isCurrent(view) { return view }
        guard let newer = views.currentIfFree() else { return view }
        self.view = newer
        return newer
    }

    /// True when an If-None-Match header lists `etag` (weak comparison, as RFC 9110 §13.1.2 asks) or is "*".
    static func matches(_ ifNoneMatch: String?, _ etag: String) -> Bool {
        guard let ifNoneMatch else { return false }
        for candidate in ifNoneMatch.split(separator: ",") {
            var tag = candidate.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            if tag == etag { return true }
        }
        return false
    }
}
