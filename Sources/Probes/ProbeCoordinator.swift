// Several probes, one truth. Once a second (while alone, every `aloneHeartbeatSeconds`), on a thread (a
// ThreadQueue, which the daemon shares with the store's writer: a lone probe's tick rides the store's wake-up
// after each round) and a database connection of its own, this probe
//   1. writes its heartbeat and the views of its hosts that changed (all of them every 10 s, for the RTT and
//      loss the others show),
//   2. reads every probe, every view and the ongoing incidents,
//   3. for each host that another live probe watches too ("shared"): takes the verdict of the live views under
//      MONITORING_QUORUM, and when it differs from the database's ongoing incident, settles the host in one
//      transaction (MariaDBProbeStore.settle) that opens or closes the incident with its webhook in the outbox,
//   4. shows the consensus and every probe's view on the status board, and sends the outbox's webhooks it claims.
// A host no other live probe watches is left to the monitor's own incidents, exactly as a lone daemon does; the
// feeds ask `isShared` before they write or announce an incident. When the database is lost, shared hosts show
// this probe's own view ("view":"local") until it is back, and the next settling uses every probe's view then.
import Consensus
import Dispatch
import Foundation
import Logging
import Monitor
import Platform
import Storage
import Synchronization
import Webhooks

package final class ProbeCoordinator: Sendable {
    /// Hands incidents the consensus opened or closed to the uptime ledger (the monitor's feed does so for the
    /// rest): domain, down detection, and up detection when closed.
    package typealias IncidentSink = @Sendable (_ domain: String, _ downDetection: Date, _ upDetection: Date?) -> Void

    let settings: ProbeSettings
    let version: String
    let intervalMilliseconds: Int64
    let board: StatusBoard
    let roster: ProbeRoster
    let notifier: WebhookNotifier?
    let logger: Logger
    let onIncident: IncidentSink
    /// When this probe started: what "up since" means for a host it never saw down.
    let started = Date()
    let state: ThreadConfined<State>
    /// The tick: every second while other probes are live, every `aloneHeartbeatSeconds` alone.
    let timer: ThreadQueue.Timer
    /// The places of the hosts another live probe watches too, for the feeds (read on the ping queue).
    private let shared = Mutex<Set<Int>>([])

    /// Everything that lives on the coordinator's queue.
    final class State {
        let store: MariaDBProbeStore
        var migrated = false
        /// The views this probe last wrote, by check id.
        var written: [Int64: ProbeView] = [:]
        var lastFullWrite: MonotonicInstant?
        /// Check ids shared at the last reading (a host that stops being shared is settled once more alone).
        var sharedIDs: Set<Int64> = []
        var overlays: [Int: ClusterOverlay] = [:]
        /// Ongoing incidents at the last reading, by check id.
        var ongoing: [Int64: OngoingSummary] = [:]
        var readOngoing = false
        var reachable = true
        /// Outbox rows handed to the notifier and not yet done.
        var sending: Set<Int64> = []
        /// Outbox rows delivered whose mark as sent has not reached the database yet.
        var unmarked: Set<Int64> = []
        /// The timer's period now (Self.period, or aloneHeartbeatSeconds alone).
        var period = ProbeCoordinator.period
        /// When this probe last wrote its heartbeat alone.
        var lastHeartbeat: MonotonicInstant?
        /// Another probe was live at the last reading.
        var othersLive = false

        init(store: MariaDBProbeStore) { self.store = store }
    }

    /// `queue`: the thread to work on (one of its own if nil).
    package init(settings: ProbeSettings, version: String, interval: Double, database: DatabaseConfiguration,
                 board: StatusBoard, roster: ProbeRoster, notifier: WebhookNotifier?, logger: Logger,
                 queue: ThreadQueue? = nil, onIncident: @escaping IncidentSink) throws {
        self.settings = settings
        self.version = version
        self.intervalMilliseconds = Int64((interval * 1000).rounded())
        self.board = board
        self.roster = roster
        self.notifier = notifier
        self.logger = logger
        self.onIncident = onIncident
        let queue = try queue ?? ThreadQueue(name: "status-probes")
        state = ThreadConfined(State(store: MariaDBProbeStore(configuration: database)), queue: queue)
        let owner = WeakReference<ProbeCoordinator>()
        timer = queue.makeTimer {
            guard let self = owner.value else { return }
            self.tick(self.state.value)
        }
        owner.value = self
    }

    /// Whether another live probe watches the host at `position` (its incidents are the consensus's then).
    package func isShared(_ position: Int) -> Bool { shared.withLock { $0.contains(position) } }

    func publishShared(_ positions: Set<Int>) { shared.withLock { $0 = positions } }

    package func start() {
        timer.schedule(after: 0.2, repeating: Self.period, leeway: 0.1)
    }

    /// Stops the ticks and, within `timeout` seconds, tells the others this probe is gone (its views leave the
    /// quorum now, not after its liveness bound). False if the database did not answer in time.
    package func leave(timeout: Double) -> Bool {
        let done = DispatchSemaphore(value: 0)
        let left = Atomic<Bool>(false)
        timer.cancel()
        state.async { [settings] state in
            if state.migrated, state.reachable, (try? state.store.leave(probe: settings.name)) != nil {
                left.store(true, ordering: .relaxed)
            }
            done.signal()
        }
        return done.wait(timeout: .now() + timeout) == .success && left.load(ordering: .relaxed)
    }

    /// A tick a second while other probes are live; alone, a tick every `aloneHeartbeatSeconds` that writes the
    /// heartbeat and reads the roster (and with webhooks the outbox): a lone daemon at the default 30 s interval
    /// adds two statements every 30 s to what it always cost, each prepared once.
    static let period = 1.0
    static let shortestAlonePeriod = 5.0
    static let fullWriteSeconds = 10.0

    /// Alone, the heartbeat is written and the probes table read every third of the bound a newcomer would judge
    /// this probe by (3 × interval + 9 s), at least every 5 s and at most every 30 s: at the default 30 s interval,
    /// every 30 s, so a newcomer is seen within 30 s (within 5 s at intervals up to 2 s).
    var aloneHeartbeatSeconds: Double {
        min(30, max(Self.shortestAlonePeriod, Double(3 * intervalMilliseconds + 9000) / 3000))
    }

    private func tick(_ state: State) {
        defer { pace(state) }
        let alone = state.sharedIDs.isEmpty && !state.othersLive
        // The board's chunks are shared, not copied: a lone probe's tick only counts them (an array of 10,000
        // hosts would be 3 MB, twice over, at the daemon's peak).
        let board = self.board.versionedSnapshot().hosts
        lazy var hosts = board.filter { $0.id != 0 }
        do {
            if !state.migrated {
                try state.store.migrate()
                try state.store.forgetAll(probe: settings.name)    // what this probe saw before it started is stale
                state.migrated = true
            }
            if alone {
                if state.lastHeartbeat.map({ MonotonicInstant.now().seconds(since: $0) >= aloneEarliest }) ?? true {
                    try state.store.heartbeat(name: settings.name, version: version,
                                              intervalMilliseconds: intervalMilliseconds, hosts: board.count)
                    state.lastHeartbeat = .now()
                }
                state.lastFullWrite = nil    // another probe may come: it gets every view at once
            } else {
                try writeViews(hosts, state)
            }
            let probes = try state.store.probes()
            roster.publish(probes, at: Date())
            state.othersLive = probes.contains { $0.live && $0.name != settings.name }
            if !state.reachable { logger.info("probes_database_back", ["server": state.store.server]) }
            state.reachable = true
            if state.othersLive || !state.sharedIDs.isEmpty {
                if alone { try writeViews(hosts, state) }
                let views = try state.store.observations()
                let before = state.ongoing
                state.ongoing = try state.store.ongoingIncidents()
                try settle(hosts, views: views, state)
                // The first reading only learns what is ongoing: the ledger has it from the registration.
                if state.readOngoing { try tellLedger(hosts, before: before, state) }
                state.readOngoing = true
            }
            sendOutbox(state)
        } catch {
            if state.reachable {
                logger.warning("probes_database_unavailable", ["reason": "\(error)", "view": "local"])
            }
            state.reachable = false
            if !state.overlays.isEmpty { showLocal(hosts, state) }
        }
    }

    /// Ticks every second while other probes are live or a host is still shared, every `aloneHeartbeatSeconds`
    /// alone: the timer itself is rescheduled, so a lone daemon's coordinator wakes once in 30 s at the default
    /// interval, not every second to do nothing.
    /// Alone, a tick may run up to `aloneHeartbeatSeconds - aloneEarliest` early, in a wake-up the thread has for
    /// the store (its batch of latest pings after each round), instead of waking the thread on its own; so the
    /// heartbeats are between a sixth of `aloneHeartbeatSeconds` and the whole period plus its leeway (a tenth of it)
    /// apart. Once a tick has ridden the batch, the next one is due when the next round's batch comes, and rides it.
    private func pace(_ state: State) {
        let alone = state.sharedIDs.isEmpty && !state.othersLive
        let period = alone ? aloneHeartbeatSeconds : Self.period
        guard period != state.period else { return }
        state.period = period
        timer.schedule(after: period, repeating: period, leeway: period / 10, early: alone ? period - aloneEarliest : 0)
    }

    /// The shortest time between two lone ticks (seconds).
    var aloneEarliest: Double { aloneHeartbeatSeconds / 6 }

    /// This probe's own view of a host, from the board; nil before its first ping.
    func view(of host: HostStatus) -> ProbeView? {
        guard let last = host.lastPerformed else { return nil }
        // Up and never down since this probe started: up since its start (a stable time, not the last ping).
        return ProbeView(probe: settings.name, isDown: host.isDown,
                         since: (host.isDown ? host.downSince ?? last : host.upSince ?? started), lastPerformed: last,
                         rttMilliseconds: host.lastRTTMilliseconds, lossPercent: host.recent.lossPercent,
                         cause: host.isDown ? host.cause : nil, outage: host.isDown ? host.outage ?? .own : nil,
                         behind: host.isDown && host.outage == .unreachable ? host.behind : nil)
    }

    private func writeViews(_ hosts: [HostStatus], _ state: State) throws {
        let full = state.lastFullWrite.map { MonotonicInstant.now().seconds(since: $0) >= Self.fullWriteSeconds } ?? true
        var changed: [Observation] = []
        for host in hosts {
            guard let mine = view(of: host) else { continue }
            let before = state.written[host.id]
            if full || before == nil || before?.isDown != mine.isDown || before?.since != mine.since
                || before?.cause != mine.cause || before?.outage != mine.outage || before?.behind != mine.behind {
                changed.append(Observation(checkID: host.id, view: mine))
            }
        }
        try state.store.write(probe: settings.name, version: version, intervalMilliseconds: intervalMilliseconds,
                              hosts: hosts.count, observations: changed)
        for item in changed { state.written[item.checkID] = item.view }
        // Hosts a reload took away: this probe's views of them leave the quorum.
        let watched = Set(hosts.map(\.id))
        let gone = state.written.keys.filter { !watched.contains($0) }
        if !gone.isEmpty {
            try state.store.forget(probe: settings.name, checkIDs: gone)
            for id in gone { state.written[id] = nil }
        }
        if full { state.lastFullWrite = .now() }
    }
}
