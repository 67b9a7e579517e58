// The monitor's working parts on the ping queue: its hosts, pinger and observers, and what happens to a ping's
// result — fed to the host's tracker, whose effects become log lines and events for the observers. The timers
// are in +Ticks, DNS in +Resolution. Used on the ping queue only; Monitor is its face to other threads.
import Dispatch
import Encoding
import Foundation
import ICMP
import Logging
import Platform

final class MonitorCore {
    let pinger: any Pinging
    let hosts: [HostRuntime]
    let observers: [any MonitorObserver]
    let resolver: Resolver
    let logger: Logger
    let schedule: MonitorSchedule
    let ticks: TickRecord
    let queue: DispatchQueue
    var stopped = false
    /// The box this core lives in, for coming back to the ping queue from the resolver's.
    weak var home: QueueConfined<MonitorCore>?
    var lateness = ScheduleLateness()
    var downTransitions = 0
    /// The effects buffer `handle` reuses (an observer that comes back into `handle` gets a fresh one).
    var spareEffects: [HostTracker.Effect] = []
    /// How often a name that resolves is looked up again.
    static let resolutionRefresh: UInt64 = 60_000_000_000

    init(settings: MonitorSettings, downSince: [String: Date], pinger: sending any Pinging, resolver: Resolver,
         observers: [any MonitorObserver], ticks: TickRecord, queue: DispatchQueue, logger: Logger) {
        self.queue = queue
        self.pinger = pinger
        self.resolver = resolver
        self.observers = observers
        self.logger = logger
        self.ticks = ticks
        schedule = MonitorSchedule(intervalNanoseconds: settings.interval.nanoseconds, hostCount: settings.hosts.count)
        hosts = settings.hosts.enumerated().map { position, spec in
            HostRuntime(position: position, spec: spec,
                        tracker: HostTracker(failureThreshold: settings.failureThreshold,
                                             recoveryThreshold: settings.recoveryThreshold, timeout: settings.timeout,
                                             downSince: downSince[spec.domain]))
        }
    }

    func completed(_ tag: PingTag, _ result: PingResult) {
        guard !stopped, hosts.indices.contains(tag.host) else { return }
        handle(hosts[tag.host], .completed(number: tag.number, result))
    }

    func lateError(_ tag: PingTag, _ failure: PingFailure) {
        guard !stopped, hosts.indices.contains(tag.host) else { return }
        handle(hosts[tag.host], .lateError(failure))
    }

    func handle(_ host: HostRuntime, _ input: HostTracker.Input) {
        var incidentID: Int64?
        if case .databaseIncident(let incident) = input { incidentID = incident.id }
        var effects = spareEffects
        spareEffects = []
        host.tracker.apply(input, into: &effects)
        for effect in effects { carryOut(effect, for: host, incidentID: incidentID) }
        effects.removeAll(keepingCapacity: true)
        spareEffects = effects
    }

    /// `incidentID`: the database's id of the incident the effect is about, when the database named it.
    private func carryOut(_ effect: HostTracker.Effect, for host: HostRuntime, incidentID: Int64?) {
        let domain = host.spec.domain
        let event: MonitorEvent
        switch effect {
        case .pinged(let outcome, let sentAt, let completedAt, let isDown, let downSince, let flipped):
            event = .pinged(PingReport(host: host.position, domain: domain, outcome: outcome, sentAt: sentAt,
                                       completedAt: completedAt, isDown: isDown, downSince: downSince, flipped: flipped))
        case .opened(let cause, let since):
            downTransitions += 1
            logger.warning("host_down", ["host": domain, "since": JSONText.time(since), "cause": cause])
            event = .incidentOpened(IncidentOpened(host: host.position, domain: domain, cause: cause, downDetection: since))
        case .closed(let cause, let since, let up, let announced):
            if announced {
                logger.info("host_up", ["host": domain, "since": JSONText.time(up)])
            } else {
                logger.info("incident_closed_on_reconnect", ["host": domain, "incident": incidentID ?? 0,
                                                             "up_since": JSONText.time(up)])
            }
            event = .incidentClosed(IncidentClosed(host: host.position, domain: domain, cause: cause, downDetection: since,
                                                   upDetection: up, announced: announced))
        case .described(let cause):
            logger.info("incident_cause", ["host": domain, "cause": cause])
            event = .incidentDescribed(IncidentDescribed(host: host.position, domain: domain, cause: cause))
        case .adopted(let cause, let since):
            logger.info("incident_adopted", ["host": domain, "incident": incidentID ?? 0, "since": JSONText.time(since)])
            event = .incidentAdopted(IncidentOpened(host: host.position, domain: domain, cause: cause, downDetection: since))
        }
        for observer in observers { observer.monitor(event) }
    }
}
