// The monitor: one Dispatch timer per host on the ping queue; each tick pings (or looks the name up),
// feeds the result to the host's threshold tracker, publishes the state and hands changes to the store.
// Data flows one way: timer → pinger → tracker → (StatusBoard for the API, StoreWriter for the database).
import Dispatch
import Synchronization
import Foundation

/// What the monitor needs from a pinger (the real `Pinger`, or a scripted one in unit tests).
public protocol Pinging: AnyObject {
    /// Sends one echo to `address`; `resultHandler` gets `token` and the result on the ping queue exactly once.
    func ping(_ address: SocketAddress, token: Int)
    /// Called on the ping queue with each ping's token and result.
    var resultHandler: ((Int, PingResult) -> Void)? { get set }
    /// Called on the ping queue when an ICMP error explains a ping that already timed out.
    var lateErrorHandler: ((Int, PingOutcome) -> Void)? { get set }
}

public final class Monitor: @unchecked Sendable {
    private let queue: DispatchQueue
    private let pinger: Pinging
    private let resolver: Resolver
    private let writer: StoreWriter
    private let board: StatusBoard
    private let logger: Logger
    private let interval: ConfigDuration
    private let timeout: ConfigDuration
    private let hosts: [HostMonitor]
    private var stopped = false
    private var lateness = ScheduleLateness()
    private var downTransitions = 0
    /// Told of every incident this run opens or closes, on the ping queue; must return at once.
    private let onIncident: (IncidentEvent) -> Void
    /// The schedule's granularity: hosts whose places fall in one slot are pinged together.
    private static let slotNanoseconds: UInt64 = 10_000_000
    /// How often a name that resolves is looked up again.
    private let resolutionRefresh: UInt64 = 60_000_000_000

    /// `downSince`: hosts with an ongoing incident at start and when it began (after a restart they start
    /// down, so recovery closes that incident instead of opening another). `onIncident` hears of every
    /// incident opened or closed (webhooks, uptime, metrics), on the ping queue.
    public init(configuration: Configuration, downSince: [String: Date], pinger: Pinging,
                resolver: Resolver, writer: StoreWriter, board: StatusBoard, queue: DispatchQueue, logger: Logger,
                onIncident: @escaping (IncidentEvent) -> Void = { _ in }) {
        self.onIncident = onIncident
        self.queue = queue
        self.pinger = pinger
        self.resolver = resolver
        self.writer = writer
        self.board = board
        self.logger = logger
        self.interval = configuration.interval
        self.timeout = configuration.timeout
        self.hosts = configuration.hosts.enumerated().map { position, spec in
            let host = HostMonitor(position: position, spec: spec,
                                   tracker: HealthTracker(failureThreshold: configuration.failureThreshold,
                                                          recoveryThreshold: configuration.recoveryThreshold,
                                                          isDown: downSince[spec.domain] != nil))
            host.ongoing = downSince[spec.domain].map { (since: $0, cause: "") }
            return host
        }
        var positions: [String: Int] = [:]
        for host in hosts { positions[host.spec.domain] = host.position }
        self.positions = positions
    }

    private let positions: [String: Int]
    /// Monotonic nanoseconds of the last tick (or of start); 0 before start.
    private let lastTick = Atomic<UInt64>(0)

    /// How long ago the schedule last fired; nil before start.
    public func nanosecondsSinceLastTick() -> UInt64? {
        let last = lastTick.load(ordering: .relaxed)
        guard last > 0 else { return nil }
        let now = MonotonicInstant.now().nanoseconds
        return now > last ? now - last : 0
    }

    /// Takes in what the database said once it was reached: the checks' ids, and ongoing incidents this run
    /// may not know of (it started without the database and without a state directory). A host this run saw
    /// answer gets such an incident closed at its first good ping; a host not seen answering yet takes it over
    /// as its own, so no second one is opened.
    public func adopt(_ registration: StoreWriter.Registration) {
        board.setIDs(registration.ids)
        queue.async { [self] in
            for (domain, incident) in registration.ongoingWithoutPendingChanges {
                guard let position = positions[domain] else { continue }
                let host = hosts[position]
                if host.tracker.isDown, let ongoing = host.ongoing, ongoing.cause.isEmpty,
                   ongoing.since.unixMilliseconds == incident.downDetection.unixMilliseconds {
                    host.ongoing?.cause = incident.description  // only its start was in the journal
                }
                guard !host.tracker.isDown else { continue }
                if let upSince = host.upSince {
                    logger.info("incident_closed_on_reconnect", ["host": domain, "incident": incident.id,
                                                                 "up_since": JSONText.time(upSince)])
                    writer.submit(.closed(domain: domain, upDetection: upSince))
                } else {
                    logger.info("incident_adopted", ["host": domain, "incident": incident.id])
                    host.tracker.adoptDown()
                    host.ongoing = (since: incident.downDetection, cause: incident.description)
                    board.update(position) {
                        $0.isDown = true
                        $0.downSince = incident.downDetection
                    }
                }
            }
        }
    }

    /// Starts every host's timer. The interval is cut into slots of 10 ms (fewer when there are fewer hosts)
    /// and the hosts are spread evenly over them: 10,000 hosts at 1 s are 100 pings every 10 ms. The timers of
    /// one slot share one deadline, so Dispatch fires them in one wake-up and the ping queue sends them in one
    /// go; a wake-up per host would cost several thread switches per ping. With a long interval the first
    /// pings still all happen within a second of start, so /status fills in at once. Names are looked up
    /// first and pinged as soon as the look-up answers.
    public func start() {
        lastTick.store(MonotonicInstant.now().nanoseconds, ordering: .relaxed)
        queue.async { [self] in
            pinger.resultHandler = { [weak self] token, result in self?.complete(token: token, result) }
            pinger.lateErrorHandler = { [weak self] token, outcome in self?.explainLate(token: token, outcome: outcome) }
            let count = UInt64(max(hosts.count, 1))
            let slots = max(1, min(count, interval.nanoseconds / Self.slotNanoseconds))
            let firstSpread = min(interval.nanoseconds, 1_000_000_000)
            let base = DispatchTime.now()
            for host in hosts {
                let slot = UInt64(host.position) * slots / count
                let phase = interval.nanoseconds * slot / slots
                let first = firstSpread * slot / slots
                if host.name != nil {
                    resolve(host) { [weak self] in self?.startTimer(host, base: base, phase: phase, first: first) }
                } else {
                    startTimer(host, base: base, phase: phase, first: first)
                }
            }
        }
    }

    /// Cancels every timer; pings in flight complete without further effect. Returns once done.
    public func stop() {
        queue.sync {
            stopped = true
            for host in hosts {
                host.timer?.cancel()
                host.timer = nil
            }
        }
    }

    /// The host's timer fires at `base` + `phase` + k × interval (a name's timer, started after its look-up,
    /// at the next such time); when that is more than a second after `first`, one extra ping goes out at `first`.
    private func startTimer(_ host: HostMonitor, base: DispatchTime, phase: UInt64, first: UInt64) {
        guard !stopped, host.timer == nil else { return }
        let now = DispatchTime.now()
        var offset = phase
        if now.uptimeNanoseconds > base.uptimeNanoseconds + offset {
            let behind = now.uptimeNanoseconds - base.uptimeNanoseconds - offset
            offset += (behind / interval.nanoseconds + 1) * interval.nanoseconds
        }
        let deadline = base + .nanoseconds(Int(offset))
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let leeway = min(interval.nanoseconds / 100, 5_000_000)
        timer.schedule(deadline: deadline, repeating: .nanoseconds(Int(interval.nanoseconds)), leeway: .nanoseconds(Int(leeway)))
        timer.setEventHandler { [weak self] in self?.tick(host, scheduled: true) }
        host.timer = timer
        host.nextDue = MonotonicInstant.now().adding(nanoseconds: deadline.uptimeNanoseconds - min(now.uptimeNanoseconds, deadline.uptimeNanoseconds))
        timer.resume()
        let firstAt = base + .nanoseconds(Int(first))
        if deadline.uptimeNanoseconds > firstAt.uptimeNanoseconds + 1_000_000_000 {
            queue.asyncAfter(deadline: max(firstAt, now)) { [weak self] in self?.tick(host, scheduled: false) }
        }
    }

    private func tick(_ host: HostMonitor, scheduled: Bool) {
        guard !stopped else { return }
        lastTick.store(MonotonicInstant.now().nanoseconds, ordering: .relaxed)
        if scheduled { measureLateness(host) }
        if host.needsResolution(now: .now(), refresh: resolutionRefresh) {
            resolve(host) {}
        }
        guard let address = host.address else {
            if let error = host.resolutionError {
                let now = Date()
                record(host, success: false, cause: .dns(name: error.name, reason: error.reason),
                       rtt: nil, sentAt: now, completedAt: now)
            }
            return
        }
        pinger.ping(address, token: host.position)
    }

    private func resolve(_ host: HostMonitor, then next: @escaping () -> Void) {
        guard let name = host.name else { return next() }
        host.resolving = true
        resolver.resolve(name, on: queue) { [weak self] result in
            guard let self else { return }
            host.resolving = false
            host.resolvedAt = .now()
            switch result {
            case .success(let address):
                if address != host.address {
                    logger.info("resolved", ["host": host.spec.domain, "address": address.ipString])
                }
                host.address = address
                host.resolutionError = nil
            case .failure(let error):
                if host.resolutionError == nil {
                    logger.warning("resolve_failed", ["host": host.spec.domain, "reason": error.reason,
                                                      "keeping": host.address?.ipString ?? "none"])
                }
                host.resolutionError = error
            }
            next()
        }
    }

    private func complete(token: Int, _ result: PingResult) {
        guard !stopped, hosts.indices.contains(token) else { return }
        let host = hosts[token]
        switch result.outcome {
        case .reply(let rtt):
            record(host, success: true, cause: nil, rtt: rtt, sentAt: result.sentAt, completedAt: result.completedAt)
        case .timeout:
            record(host, success: false, cause: .timeout, rtt: nil, sentAt: result.sentAt, completedAt: result.completedAt)
        case .icmpError(let kind, let reportedBy):
            record(host, success: false, cause: .icmpError(kind: kind, reportedBy: reportedBy), rtt: nil,
                   sentAt: result.sentAt, completedAt: result.completedAt)
        case .sendFailed(let reason):
            record(host, success: false, cause: .sendFailed(reason), rtt: nil,
                   sentAt: result.sentAt, completedAt: result.completedAt)
        }
    }

    /// One completed check of `host`: the ping was sent at `sentAt` (the time incidents use) and finished at
    /// `completedAt` (the check's `last_performed`).
    private func record(_ host: HostMonitor, success: Bool, cause: FailureCause?, rtt: Double?,
                        sentAt: Date, completedAt: Date) {
        if success {
            host.causes.reset()
            if host.upSince == nil { host.upSince = sentAt }
        } else {
            if let cause { host.causes.record(cause) }
            host.upSince = nil
        }
        let transition = host.tracker.record(success: success, at: sentAt)
        switch transition {
        case .wentDown(let since):
            downTransitions += 1
            let description = host.causes.description(timeout: timeout)
            logger.warning("host_down", ["host": host.spec.domain, "since": JSONText.time(since), "cause": description])
            writer.submit(.opened(domain: host.spec.domain, description: description, downDetection: since))
            host.incidentSaysOnlyTimeout = host.causes.telling == nil
            host.ongoing = (since: since, cause: description)
            onIncident(IncidentEvent(kind: .opened, domain: host.spec.domain, checkID: board.checkID(host.position),
                                     cause: description, downDetection: since, upDetection: nil))
        case .cameUp(let since):
            host.incidentSaysOnlyTimeout = false
            logger.info("host_up", ["host": host.spec.domain, "since": JSONText.time(since)])
            writer.submit(.closed(domain: host.spec.domain, upDetection: since))
            if let ongoing = host.ongoing {
                onIncident(IncidentEvent(kind: .closed, domain: host.spec.domain, checkID: board.checkID(host.position),
                                         cause: ongoing.cause, downDetection: ongoing.since, upDetection: since))
            }
            host.ongoing = nil
        case nil:
            describeBetterIfKnown(host)
        }
        let isDown = host.tracker.isDown
        let downSince = host.ongoing?.since
        var opened = false
        if case .wentDown = transition { opened = true }
        board.update(host.position) { status in
            if opened { status.incidentsOpened += 1 }
            status.check.lastPerformed = completedAt
            status.isDown = isDown
            status.downSince = isDown ? downSince : nil
            if let rtt { status.lastRTTMilliseconds = rtt }
            status.recent.record(success: success)
        }
        if transition == nil {
            writer.submit(.performed(domain: host.spec.domain, at: completedAt, status: !isDown))
        } else {
            writer.submit(.flipped(domain: host.spec.domain, at: completedAt, status: !isDown))
        }
    }

    /// An ICMP error for a ping that already timed out (ARP failing for a dead host on the local network takes
    /// about 3 s) still names the cause.
    private func explainLate(token: Int, outcome: PingOutcome) {
        guard !stopped, hosts.indices.contains(token), case .icmpError(let kind, let reportedBy) = outcome else { return }
        let host = hosts[token]
        host.causes.explainLate(.icmpError(kind: kind, reportedBy: reportedBy))
        describeBetterIfKnown(host)
    }

    /// Records how late this tick fired against the host's schedule; a tick Dispatch skipped counts as late
    /// by the time since it was due.
    private func measureLateness(_ host: HostMonitor) {
        guard let due = host.nextDue else { return }
        let now = MonotonicInstant.now()
        lateness.record(nanoseconds: now < due ? 0 : now.nanoseconds(since: due))
        var next = due.adding(nanoseconds: interval.nanoseconds)
        while next < now { next = next.adding(nanoseconds: interval.nanoseconds) }
        host.nextDue = next
    }

    /// Figures for the log and benchmarks: pings scheduled, their lateness, and how often a host went down.
    public struct Statistics: Sendable {
        public var ticks: Int
        public var latenessP50Milliseconds: Double?
        public var latenessP99Milliseconds: Double?
        public var downTransitions: Int
    }

    /// Call from any thread but the ping queue.
    public func statistics() -> Statistics {
        queue.sync {
            Statistics(ticks: lateness.count, latenessP50Milliseconds: lateness.percentile(0.5),
                       latenessP99Milliseconds: lateness.percentile(0.99), downTransitions: downTransitions)
        }
    }

    /// Once per outage, replaces an incident's "no reply" description with a clearer cause that arrived since.
    private func describeBetterIfKnown(_ host: HostMonitor) {
        guard host.tracker.isDown, host.incidentSaysOnlyTimeout, host.causes.telling != nil else { return }
        host.incidentSaysOnlyTimeout = false
        let description = host.causes.description(timeout: timeout)
        host.ongoing?.cause = description
        logger.info("incident_cause", ["host": host.spec.domain, "cause": description])
        writer.submit(.described(domain: host.spec.domain, description: description))
    }
}
