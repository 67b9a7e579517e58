// The bodies of /status and /status/down, serialised once per change of the status board and reused by every
// request until the next change, with an ETag so polling dashboards get 304 Not Modified.
//
// A host going down or up is served at once. A ping that changes only `last_performed` (or the round-trip
// time, loss and uptime figures, which are computed when a view is built) is served in the next view, built at
// most `refreshInterval` (half a second) after the last one served: every ping changes the board, and
// re-serialising ten thousand hosts on every ping would cost more than all the pinging.
//
// Views are built on a thread of their own (`status-views`, at nice 10), never on an event loop: a body of 10,000 hosts takes
// tens of milliseconds, which would hold up every other request on that loop. A request whose view is current
// (an atomic load or two) is answered at once; one that finds only times moved on, in a view younger than
// `staleLimit` and first served less than 0.9 s ago, is answered at once from that view while a newer one is built
// for the next request; any other (a host went down or up, nobody asked for a while, or the view was first served
// 0.9 s ago or more) is answered from that thread once its view is built, which holds up that request only. The
// first time a view is served, the next one is built without waiting for a request once the board has moved and
// the view's refresh interval is up (50 ms after the board's next change, when that moment's pings are in, or at
// the end of the interval if that is later): a client polling every second gets new times at every poll, at once,
// a client hammering the server never waits for a build, and a daemon nobody polls builds at most one view after
// the last request. The builder's thread keeps that time itself, so a refresh wakes no other thread. Each event
// loop keeps the view it last used in a `LoopStatusCache` (LoopStatusCache.swift). Only `StatusViews` owns a view
// (the loops' references are weak): a body is about 3 MB at 10,000 hosts.
import Encoding
import Foundation
import HTTP
import Monitor
import Platform
import Synchronization
import Uptime

/// One serialised state of the board. Immutable, so event loops share it freely.
final class StatusView: Sendable {
    let version: UInt64
    let stateVersion: UInt64
    /// When the view was first served (MonotonicInstant nanoseconds; 0 before): its refresh is scheduled then.
    let firstServed = Atomic<UInt64>(0)
    /// Until then, this view may stand for a newer board whose hosts are all still up or down as here.
    let refreshAfter: MonotonicInstant
    /// Until then, it may still be served at once for such a board, while a newer view is built.
    let staleUntil: MonotonicInstant
    let all: [UInt8]
    let down: [UInt8]
    /// The same two bodies for each group of the host file (`?group=`).
    let groups: [String: (all: [UInt8], down: [UInt8])]
    /// A strong validator: this process's random tag and the board's version.
    let etag: String
    /// The handler's header lines of a 200 answer (Content-Type, ETag, Cache-Control) and of a 304 (ETag,
    /// Cache-Control), serialised once for every request served from this view.
    let okHeaderLines: [UInt8]
    let notModifiedHeaderLines: [UInt8]

    init(version: UInt64, stateVersion: UInt64, refreshAfter: MonotonicInstant, staleUntil: MonotonicInstant,
         hosts: ChunkedArray<HostStatus>, processTag: String, ledger: UptimeLedger?) {
        self.version = version
        self.stateVersion = stateVersion
        self.refreshAfter = refreshAfter
        self.staleUntil = staleUntil
        // Only the bodies are kept: a view lives on while it is the newest, and a copy of ten thousand hosts per
        // view would double what the bodies cost. Every body is written in one pass over the hosts, whose uptime
        // figures are computed 256 hosts at a time (all at once would be 640 KB at 10,000 hosts), and the thread
        // offers the CPU to a waiting thread after each 256.
        let chunks = hosts.chunkArrays
        var downCount = 0
        var groupCounts: [String: (all: Int, down: Int)] = [:]
        for chunk in chunks {
            for host in chunk {
                if !host.reportedUp { downCount += 1 }
                if let group = host.group { groupCounts[group, default: (0, 0)].all += 1 }
                if let group = host.group, !host.reportedUp { groupCounts[group, default: (0, 0)].down += 1 }
            }
        }
        var all = BodyWriter(hosts: hosts.count)
        var down = BodyWriter(hosts: downCount)
        var groups = groupCounts.mapValues { (all: BodyWriter(hosts: $0.all), down: BodyWriter(hosts: $0.down)) }
        let now = Date()
        for chunk in chunks {
            for start in stride(from: 0, to: chunk.count, by: Self.hostsBetweenYields) {
                let part = chunk[start..<min(start + Self.hostsBetweenYields, chunk.count)]
                let figures = ledger?.figures(part.map { ($0.position, $0.figuresDownSince) }, now: now)
                    ?? Array(repeating: HostFigures(), count: part.count)
                for (offset, host) in part.enumerated() {
                    let check = CheckView(host: host, figures: figures[offset])
                    all.add(check)
                    if !host.reportedUp { down.add(check) }
                    if let group = host.group {
                        groups[group]?.all.add(check)
                        if !host.reportedUp { groups[group]?.down.add(check) }
                    }
                }
                Threads.yieldIfOthersWait()
            }
        }
        self.all = all.finish()
        self.down = down.finish()
        var bodies: [String: (all: [UInt8], down: [UInt8])] = [:]
        while case (let group, var writers)? = groups.popFirst() {  // taken out, so that finishing copies no body
            bodies[group] = (writers.all.finish(), writers.down.finish())
        }
        self.groups = bodies
        etag = "\"\(processTag)-\(version)\""
        let validators = [(name: "ETag", value: etag), (name: "Cache-Control", value: "no-cache")]
        okHeaderLines = HTTPResponse.serialise(HTTPResponse.json(200, []).headers + validators)
        notModifiedHeaderLines = HTTPResponse.serialise(validators)
    }

    /// How many hosts are written (their uptime figures computed, then their JSON) between two offers of the CPU
    /// to a thread waiting for it: an event loop that wakes on the CPU a build holds is not always given it by the
    /// kernel (perf sched at 10,000 hosts: a loop waited 1.5 and 1.8 ms behind a build at nice 10), and 256 hosts
    /// take about 0.3 ms.
    static let hostsBetweenYields = 256

    /// The body of /status (`down` false) or /status/down, of every host or of one group's.
    func body(down: Bool, group: String?) -> [UInt8] {
        guard let group else { return down ? self.down : all }
        guard let bodies = groups[group] else { return Array("[]".utf8) }
        return down ? bodies.down : bodies.all
    }

    /// One body: a JSON array of checks.
    private struct BodyWriter {
        private var json: JSONBuffer
        private var first = true

        /// For `hosts` checks. About 310 bytes a check with no name or group (measured); sized so that a body is
        /// written without growing.
        init(hosts: Int) {
            json = JSONBuffer(capacity: 2 + hosts * 400)
            json.raw("[")
        }

        mutating func add(_ check: CheckView) {
            if !first { json.raw(",") }
            first = false
            Payloads.check(check, into: &json)
        }

        mutating func finish() -> [UInt8] {
            json.raw("]")
            return json.bytes
        }
    }
}

/// Builds a view at most once per board change, and for changes of `last_performed` only at most once per
/// `refreshInterval`, on its own thread; shared by every event loop.
package final class StatusViews: Sendable {
    let board: StatusBoard
    private let refreshNanoseconds: UInt64
    private let staleNanoseconds: UInt64
    /// How long after a view was first served it is still served at once to a request finding only times moved
    /// on: under a second, so a client polling every second is never given the same bytes twice while pings
    /// moved on (it waits for the newer view instead), while clients hammering the server never wait.
    private let reserveNanoseconds: UInt64 = 900_000_000
    /// The newest view built (its lock is held only to read or replace it).
    private let latest = Mutex<StatusView?>(nil)
    /// Where views are built, one at a time, on a thread that yields the CPU to the event loops and the pinger
    /// (nice 10): on a busy 2-core machine a build beside the loops made other answers wait for it.
    private let builder = WorkThread(name: "status-views", nice: 10)
    /// A build for the next request is queued and has not started.
    private let rebuildQueued = Atomic<Bool>(false)
    /// A refresh is waiting for the board's next change or for a served view's refresh interval to end (at most
    /// one at a time).
    private let refreshScheduled = Atomic<Bool>(false)
    /// How long after the board's first change a refresh waiting for one builds: the pings of one slot go out
    /// together, and their replies come within milliseconds.
    static let settleNanoseconds: UInt64 = 50_000_000
    /// Tells this process's ETags from an earlier run's, whose versions started at 0 too.
    private let processTag = String(UInt64.random(in: 0...UInt64.max), radix: 36)

    let ledger: UptimeLedger?

    /// `staleLimit`: how old (seconds since it was built) a view whose hosts are all still up or down as on the
    /// board may be and still be served at once, while a newer one is built: a dashboard polling every second or
    /// two never waits for a build and sees times at most one poll late.
    package init(board: StatusBoard, ledger: UptimeLedger? = nil, refreshInterval: Double = 0.5, staleLimit: Double = 2) {
        self.board = board
        self.ledger = ledger
        self.refreshNanoseconds = UInt64(max(0, refreshInterval) * 1e9)
        self.staleNanoseconds = UInt64(max(0, staleLimit) * 1e9)
    }

    /// True while `view` may be served for the board as it is now: nothing changed, or only times within the
    /// refresh interval.
    func isCurrent(_ view: StatusView) -> Bool {
        if view.version == board.version { return true }
        return view.stateVersion == board.stateVersion && MonotonicInstant.now() < view.refreshAfter
    }

    /// A view to serve at once, without waiting for a build: the newest if it is current, or if only times moved
    /// on, it is younger than the stale limit and it was first served less than `reserveNanoseconds` ago (then a
    /// newer one is built for the next request). Nil when the request must wait for a build (`whenCurrent`): none
    /// yet, a host went down or up, or the newest is too old.
    func servableNow() -> StatusView? {
        guard let view = newestBuilt() else { return nil }
        if isCurrent(view) { return served(view) }
        let now = MonotonicInstant.now()
        guard view.stateVersion == board.stateVersion, now < view.staleUntil else { return nil }
        // First served long enough ago that its client may be polling for newer times: that one waits for them.
        let first = view.firstServed.load(ordering: .relaxed)
        guard first == 0 || now.nanoseconds < first &+ reserveNanoseconds else { return nil }
        rebuildSoon()
        return served(view)
    }

    /// Calls `body` on the builder's thread with the current view, built first if needed.
    func whenCurrent(_ body: @escaping @Sendable (StatusView) -> Void) {
        builder.async { body(self.served(self.current())) }
    }

    /// `view`, noted as served: the first time, the next view is built once the board has moved and its refresh
    /// interval is up: `settleNanoseconds` after the board's next change (once the rest of that moment's pings are
    /// in), or at the end of the interval if that is later. So the next request finds the times that moved on since
    /// without waiting (and without being answered from the same bytes as this one). A view nobody is served starts
    /// no build, and the builder sleeps until the board moves.
    @discardableResult
    func served(_ view: StatusView) -> StatusView {
        guard view.firstServed.load(ordering: .relaxed) == 0 else { return view }  // the usual case: one load
        let now = MonotonicInstant.now()
        guard view.firstServed.compareExchange(expected: 0, desired: now.nanoseconds, ordering: .relaxed).exchanged,
              !refreshScheduled.exchange(true, ordering: .acquiringAndReleasing) else { return view }
        let refreshAfter = view.refreshAfter
        board.onNextChange { [weak self] in  // on the thread that changed the board: the ping queue, for a ping
            guard let self else { return }
            // A millisecond past the interval, so that the build finds it over (the builder's clock is Dispatch's).
            let wait = max(Self.settleNanoseconds, refreshAfter.nanoseconds(since: MonotonicInstant.now()) + 1_000_000)
            builder.after(nanoseconds: wait) {
                self.refreshScheduled.store(false, ordering: .releasing)
                _ = self.current()
            }
        }
        return view
    }

    /// The current view, built now if needed (on the caller's thread: the builder's, or a test's).
    func current() -> StatusView {
        if let view = newestBuilt(), isCurrent(view) { return view }
        let (hosts, version, stateVersion) = board.versionedSnapshot()
        let now = MonotonicInstant.now()
        let view = StatusView(version: version, stateVersion: stateVersion,
                              refreshAfter: now.adding(nanoseconds: refreshNanoseconds),
                              staleUntil: now.adding(nanoseconds: staleNanoseconds),
                              hosts: hosts, processTag: processTag, ledger: ledger)
        return latest.withLock { newest in
            if let newest, newest.version > view.version { return newest }  // a build from a later snapshot won
            newest = view
            return view
        }
    }

    /// Queues one build for the next request, unless one is queued already.
    private func rebuildSoon() {
        guard !rebuildQueued.exchange(true, ordering: .acquiringAndReleasing) else { return }
        builder.async {
            self.rebuildQueued.store(false, ordering: .releasing)
            _ = self.current()
        }
    }

    func newestBuilt() -> StatusView? {
        latest.withLock { $0 }
    }

    /// One host as it is now, with its figures (for the endpoints of one host, and the badge).
    func check(at position: Int) -> CheckView {
        let host = board.host(at: position)
        return CheckView(host: host, figures: ledger?.figures(position: position, downSince: host.figuresDownSince, now: Date())
                                                ?? HostFigures())
    }

    /// Every host as it is now, with its figures (for /metrics).
    func checks() -> [CheckView] {
        let hosts = board.snapshot()
        let figures = ledger?.figures(hosts.map { ($0.position, $0.figuresDownSince) }, now: Date())
            ?? Array(repeating: HostFigures(), count: hosts.count)
        return zip(hosts, figures).map { CheckView(host: $0, figures: $1) }
    }
}
