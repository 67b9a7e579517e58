// The monitor: one Dispatch timer per host on the ping queue; each tick pings (or looks the name up),
// feeds the result to the host's threshold tracker, publishes the state and hands changes to the store.
// Data flows one way: timer → pinger → tracker → (StatusBoard for the API, StoreWriter for the database).
import Dispatch
import Foundation

/// What the monitor needs from a pinger (the real `Pinger`, or a scripted one in unit tests).
public protocol Pinging: AnyObject {
    /// Sends one echo to `address`; `completion` runs on the ping queue exactly once.
    func ping(_ address: SocketAddress, token: Int, completion: @escaping (PingResult) -> Void)
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
    /// How often a name that resolves is looked up again.
    private let resolutionRefresh: UInt64 = 60_000_000_000

    /// `checks` are the store's rows for the configured hosts, in the same order; `downCheckIDs` the checks that
    /// have an ongoing incident (after a restart they start down, so recovery closes that incident).
    public init(configuration: Configuration, checks: [Check], downCheckIDs: Set<Int64>, pinger: Pinging,
                resolver: Resolver, writer: StoreWriter, board: StatusBoard, queue: DispatchQueue, logger: Logger) {
        precondition(checks.count == configuration.hosts.count, "one check per configured host")
        self.queue = queue
        self.pinger = pinger
        self.resolver = resolver
        self.writer = writer
        self.board = board
        self.logger = logger
        self.interval = configuration.interval
        self.timeout = configuration.timeout
        self.hosts = zip(configuration.hosts, checks).enumerated().map { position, pair in
            HostMonitor(position: position, spec: pair.0, checkID: pair.1.id,
                        tracker: HealthTracker(failureThreshold: configuration.failureThreshold,
                                               recoveryThreshold: configuration.recoveryThreshold,
                                               isDown: downCheckIDs.contains(pair.1.id)))
        }
    }

    /// Starts every host's timer. First pings are spread over min(interval, 1 s) so hosts do not fire together;
    /// names are looked up first and pinged as soon as the look-up answers.
    public func start() {
        queue.async { [self] in
            pinger.lateErrorHandler = { [weak self] token, outcome in self?.explainLate(token: token, outcome: outcome) }
            let spread = min(interval.nanoseconds, 1_000_000_000)
            for host in hosts {
                let offset = spread * UInt64(host.position) / UInt64(max(hosts.count, 1))
                if host.name != nil {
                    resolve(host) { [weak self] in self?.startTimer(host, after: offset) }
                } else {
                    startTimer(host, after: offset)
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

    private func startTimer(_ host: HostMonitor, after offset: UInt64) {
        guard !stopped, host.timer == nil else { return }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let leeway = min(interval.nanoseconds / 100, 5_000_000)
        timer.schedule(deadline: .now() + .nanoseconds(Int(offset)), repeating: .nanoseconds(Int(interval.nanoseconds)),
                       leeway: .nanoseconds(Int(leeway)))
        timer.setEventHandler { [weak self] in self?.tick(host) }
        host.timer = timer
        timer.resume()
    }

    private func tick(_ host: HostMonitor) {
        guard !stopped else { return }
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
        pinger.ping(address, token: host.position) { [weak self] result in
            self?.complete(host, result)
        }
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

    private func complete(_ host: HostMonitor, _ result: PingResult) {
        guard !stopped else { return }
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
        if success { host.causes.reset() } else if let cause { host.causes.record(cause) }
        let transition = host.tracker.record(success: success, at: sentAt)
        switch transition {
        case .wentDown(let since):
            let description = host.causes.description(timeout: timeout)
            logger.warning("host_down", ["host": host.spec.domain, "since": JSONText.time(since), "cause": description])
            writer.submit(.opened(checkID: host.checkID, description: description, downDetection: since))
            host.incidentSaysOnlyTimeout = host.causes.telling == nil
        case .cameUp(let since):
            host.incidentSaysOnlyTimeout = false
            logger.info("host_up", ["host": host.spec.domain, "since": JSONText.time(since)])
            writer.submit(.closed(checkID: host.checkID, upDetection: since))
        case nil:
            describeBetterIfKnown(host)
        }
        let isDown = host.tracker.isDown
        board.update(host.position) { status in
            status.check.lastPerformed = completedAt
            status.isDown = isDown
            if let rtt { status.lastRTTMilliseconds = rtt }
        }
        if transition == nil {
            writer.submit(.performed(checkID: host.checkID, at: completedAt, status: !isDown))
        } else {
            writer.submit(.flipped(checkID: host.checkID, at: completedAt, status: !isDown))
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

    /// Once per outage, replaces an incident's "no reply" description with a clearer cause that arrived since.
    private func describeBetterIfKnown(_ host: HostMonitor) {
        guard host.tracker.isDown, host.incidentSaysOnlyTimeout, host.causes.telling != nil else { return }
        host.incidentSaysOnlyTimeout = false
        let description = host.causes.description(timeout: timeout)
        logger.info("incident_cause", ["host": host.spec.domain, "cause": description])
        writer.submit(.described(checkID: host.checkID, description: description))
    }
}
