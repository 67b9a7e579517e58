// The monitor's face to the other threads: start, stop, the database's ongoing incidents, statistics and the
// pinger's counters. Its working parts (MonitorCore: timers, pinger, trackers) live on the ping queue; data flows
// one way: timer → pinger → tracker → events for the observers (status board, store writer, uptime, webhooks).
import Dispatch
import Foundation
import ICMP
import Logging
import Platform
import Synchronization

/// When the schedule last fired, for /healthz; written on the ping queue, read anywhere.
final class TickRecord: Sendable {
    private let last = Atomic<UInt64>(0)

    func record() { last.store(MonotonicInstant.now().nanoseconds, ordering: .relaxed) }

    /// Nanoseconds since the last tick; nil before start.
    func age() -> UInt64? {
        let value = last.load(ordering: .relaxed)
        guard value > 0 else { return nil }
        return MonotonicInstant.now().nanoseconds(since: MonotonicInstant(nanoseconds: value))
    }
}

package final class Monitor: Sendable {
    private let core: QueueConfined<MonitorCore>
    private let ticks = TickRecord()

    /// `downSince`: hosts with an ongoing incident at start and when it began (after a restart they start down,
    /// so recovery closes that incident instead of opening another). `pinger` is used on `queue` only from now on.
    /// `observers` hear every event, on `queue`, in order.
    package init(settings: MonitorSettings, downSince: [String: Date] = [:], pinger: sending any Pinging,
                 resolver: Resolver = Resolver(), observers: [any MonitorObserver], queue: DispatchQueue, logger: Logger) {
        core = QueueConfined(MonitorCore(settings: settings, downSince: downSince, pinger: pinger, resolver: resolver,
                                         observers: observers, ticks: ticks, queue: queue, logger: logger), queue: queue)
    }

    /// How long ago the schedule last fired; nil before start.
    package func nanosecondsSinceLastTick() -> UInt64? { ticks.age() }

    /// Starts every host's timer (see MonitorSchedule); names are looked up first and pinged as soon as the
    /// look-up answers.
    package func start() {
        ticks.record()
        core.async { [weak core] monitor in
            monitor.home = core
            monitor.pinger.resultHandler = { [weak monitor] tag, result in monitor?.completed(tag, result) }
            monitor.pinger.lateErrorHandler = { [weak monitor] tag, failure in monitor?.lateError(tag, failure) }
            monitor.startAll()
        }
    }

    /// Cancels every timer; pings in flight complete without further effect. Returns once done.
    package func stop() {
        core.sync { monitor in
            monitor.stopped = true
            for host in monitor.hosts {
                host.timer?.cancel()
                host.timer = nil
            }
        }
    }

    /// Makes `hosts` (in configuration order) the watched hosts, as a diff against those watched now (see
    /// MonitorCore+Reload); the observers hear a `hostsChanged` event. Call from any thread but the ping queue.
    package func reload(_ hosts: [HostSpec]) -> ReloadSummary {
        core.sync { $0.apply(hosts) }
    }

    /// Takes in the ongoing incidents the database had once it was reached (by domain): see HostTracker.
    package func adopt(_ incidents: [String: OngoingIncident]) {
        core.async { monitor in
            for host in monitor.hosts where !host.retired {
                if let incident = incidents[host.spec.domain] { monitor.handle(host, .databaseIncident(incident)) }
            }
        }
    }

    /// Figures for the log and benchmarks: pings scheduled, their lateness, and how often a host went down.
    package struct Statistics: Sendable {
        package var ticks: Int
        package var latenessP50Milliseconds: Double?
        package var latenessP99Milliseconds: Double?
        package var downTransitions: Int
        package var pinger: PingerCounters
    }

    /// Call from any thread but the ping queue.
    package func statistics() -> Statistics {
        core.sync { monitor in
            Statistics(ticks: monitor.lateness.count, latenessP50Milliseconds: monitor.lateness.percentile(0.5),
                       latenessP99Milliseconds: monitor.lateness.percentile(0.99), downTransitions: monitor.downTransitions,
                       pinger: monitor.pinger.totals)
        }
    }

    /// Hands the pinger's counters to `body`, later, on the ping queue (for /metrics: never blocks the caller).
    package func readPingerCounters(_ body: @escaping @Sendable (PingerCounters) -> Void) {
        core.async { body($0.pinger.totals) }
    }
}
