// The monitor's working parts on the ping queue: its hosts (by place: configuration order at start, then each
// host a reload adds at the next place; a removed host keeps its place, retired), their dependency graph, the
// pinger and the observers, and what happens to a ping's result — fed to the host's tracker, whose effects become
// log lines and events (+Incidents), with outages classified by the hosts' parents (+Dependencies). The timers
// are in +Ticks, DNS in +Resolution, reloads in +Reload. Used on the ping queue only; Monitor is its face to
// other threads.
import Dispatch
import Encoding
import Foundation
import ICMP
import Logging
import Platform

final class MonitorCore {
    let pinger: any Pinging
    var hosts: [HostRuntime]
    var graph: HostGraph
    /// The defaults each host's own settings start from.
    let defaults: MonitorSettings
    let observers: [any MonitorObserver]
    let resolver: Resolver
    let logger: Logger
    let ticks: TickRecord
    let queue: DispatchQueue
    var stopped = false
    /// When the timers started (nil before `start`): what the schedules are measured from.
    var base: DispatchTime?
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
        defaults = settings
        let places = MonitorSchedule.places(of: settings.hosts.map { settings.settings(for: $0).interval.nanoseconds })
        hosts = settings.hosts.enumerated().map { position, spec in
            Self.runtime(position: position, spec: spec, settings: settings, downSince: downSince[spec.domain],
                         schedule: places[position].schedule, rank: places[position].rank)
        }
        graph = HostGraph(settings.hosts)
    }

    /// A host's runtime: its tracker starts down when an incident was ongoing at start (`downSince`).
    static func runtime(position: Int, spec: HostSpec, settings: MonitorSettings, downSince: Date?,
                        schedule: MonitorSchedule, rank: Int) -> HostRuntime {
        let own = settings.settings(for: spec)
        let host = HostRuntime(position: position, spec: spec, settings: own,
                               tracker: HostTracker(failureThreshold: own.failureThreshold,
                                                    recoveryThreshold: own.recoveryThreshold, timeout: own.timeout,
                                                    downSince: downSince))
        host.schedule = schedule
        host.rank = rank
        if downSince != nil { host.outage = .down(announced: true) }
        return host
    }

    func completed(_ tag: PingTag, _ result: PingResult) {
        guard !stopped, hosts.indices.contains(tag.host), !hosts[tag.host].retired else { return }
        handle(hosts[tag.host], .completed(number: tag.number, result))
    }

    func lateError(_ tag: PingTag, _ failure: PingFailure) {
        guard !stopped, hosts.indices.contains(tag.host), !hosts[tag.host].retired else { return }
        handle(hosts[tag.host], .lateError(failure))
    }

    func handle(_ host: HostRuntime, _ input: HostTracker.Input) {
        var incident: OngoingIncident?
        if case .databaseIncident(let known) = input { incident = known }
        var effects = spareEffects
        spareEffects = []
        host.tracker.apply(input, into: &effects)
        for effect in effects { carryOut(effect, for: host, incident: incident) }
        effects.removeAll(keepingCapacity: true)
        spareEffects = effects
    }

    func emit(_ event: MonitorEvent) {
        for observer in observers { observer.monitor(event) }
    }
}
