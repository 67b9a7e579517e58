// The monitor's subscribers that are not the status board: each turns the monitor's events into what its part
// records. The store writer gets state changes (a ping that only moves last_performed is batched there) and a
// reload's new hosts to register, the uptime ledger the incidents' spans and the hosts a reload watches (with
// their maintenance windows), the history every ping's RTT, the webhooks every incident opened or closed (with the check id, which the board
// has once the database registered it). Incidents of a host another live probe watches too are the probes'
// consensus's (ProbeCoordinator): the feeds leave them alone.
import Foundation
import Monitor
import Probes
import Storage
import Uptime
import Webhooks

final class StoreFeed: MonitorObserver {
    let writer: StoreWriter
    let coordinator: ProbeCoordinator?

    init(_ writer: StoreWriter, _ coordinator: ProbeCoordinator? = nil) {
        self.writer = writer
        self.coordinator = coordinator
    }

    func monitor(_ event: MonitorEvent) {
        if let host = event.incidentHost, coordinator?.isShared(host) == true { return }
        switch event {
        case .pinged(let ping):
            writer.submit(ping.flipped ? .flipped(domain: ping.domain, at: ping.completedAt, status: !ping.isDown)
                                       : .performed(domain: ping.domain, at: ping.completedAt, status: !ping.isDown))
        case .incidentOpened(let opened):
            writer.submit(.opened(domain: opened.domain, description: opened.cause, downDetection: opened.downDetection,
                                  marks: Self.marks(opened.behind, maintenance: opened.maintenance)))
        case .incidentClassified(let classified):
            writer.submit(.classified(domain: classified.domain, description: classified.cause,
                                      marks: Self.marks(classified.behind, maintenance: classified.kind == .maintenance)))
        case .incidentClosed(let closed):
            writer.submit(.closed(domain: closed.domain, upDetection: closed.upDetection))
        case .incidentDescribed(let described):
            writer.submit(.described(domain: described.domain, description: described.cause))
        case .incidentAdopted:
            break  // the database handed it over: it has it
        case .hostsChanged(let change):
            let domains = Dictionary(change.hosts.map { ($0.position, $0.spec.domain) }, uniquingKeysWith: { a, _ in a })
            writer.register(domains: change.added.compactMap { domains[$0] })
        }
    }

    static func marks(_ behind: Behind?, maintenance: Bool) -> IncidentMarks {
        IncidentMarks(parentDomain: behind?.domain, parentDownDetection: behind?.downDetection, maintenance: maintenance)
    }
}

final class UptimeFeed: MonitorObserver {
    let ledger: UptimeLedger
    let coordinator: ProbeCoordinator?

    init(_ ledger: UptimeLedger, _ coordinator: ProbeCoordinator? = nil) {
        self.ledger = ledger
        self.coordinator = coordinator
    }

    func monitor(_ event: MonitorEvent) {
        if let host = event.incidentHost, coordinator?.isShared(host) == true { return }
        switch event {
        case .incidentOpened(let opened):
            ledger.recordOpened(domain: opened.domain, downDetection: opened.downDetection)
        case .incidentClosed(let closed):
            ledger.recordClosed(domain: closed.domain, upDetection: closed.upDetection)
        case .hostsChanged(let change):
            ledger.watch(change.hosts.map { LedgerHost(position: $0.position, domain: $0.spec.domain,
                                                       maintenance: Self.maintenance(of: $0.spec)) },
                         retired: change.retired, at: Date())
        case .pinged, .incidentDescribed, .incidentAdopted, .incidentClassified:
            break
        }
    }

    /// The host's maintenance windows for the ledger; nil when it has none.
    static func maintenance(of spec: HostSpec) -> MaintenanceOccurrences? {
        let calendar = MaintenanceCalendar(spec.attributes.maintenance)
        guard !calendar.isEmpty else { return nil }
        return { from, until in calendar.occurrences(from: from, until: until) }
    }
}

/// Every ping's RTT (or its loss) into the history, and the places of hosts a reload adds.
final class HistoryFeed: MonitorObserver {
    let history: HistoryWriter

    init(_ history: HistoryWriter) { self.history = history }

    func monitor(_ event: MonitorEvent) {
        switch event {
        case .pinged(let ping):
            if case .reply(let rtt) = ping.outcome {
                history.recorder.record(place: ping.host, sentAt: ping.sentAt, rttMilliseconds: rtt)
            } else {
                history.recorder.record(place: ping.host, sentAt: ping.sentAt, rttMilliseconds: nil)
            }
        case .hostsChanged(let change):
            history.watch(change.hosts.map { ($0.position, $0.spec.domain) })
        case .incidentOpened, .incidentClosed, .incidentDescribed, .incidentAdopted, .incidentClassified:
            break
        }
    }
}

final class WebhookFeed: MonitorObserver {
    let notifier: WebhookNotifier
    let board: StatusBoard
    let coordinator: ProbeCoordinator?

    init(_ notifier: WebhookNotifier, board: StatusBoard, coordinator: ProbeCoordinator? = nil) {
        self.notifier = notifier
        self.board = board
        self.coordinator = coordinator
    }

    func monitor(_ event: MonitorEvent) {
        if let host = event.incidentHost, coordinator?.isShared(host) == true { return }
        switch event {
        case .incidentOpened(let opened):
            guard opened.kind.announced else { return }  // unreachable, in maintenance, or awaiting a parent's verdict
            notify(.opened, opened.host, opened.domain, opened.cause, opened.downDetection, nil, opened.dependents)
        case .incidentClassified(let classified):
            guard classified.announceNow else { return }
            notify(.opened, classified.host, classified.domain, classified.cause, classified.downDetection, nil,
                   classified.dependents)
        case .incidentClosed(let closed):
            guard closed.announced, let since = closed.downDetection else { return }
            notify(.closed, closed.host, closed.domain, closed.cause, since, closed.upDetection, closed.dependents)
        case .pinged, .incidentDescribed, .incidentAdopted, .hostsChanged:
            break
        }
    }

    private func notify(_ kind: IncidentEvent.Kind, _ position: Int, _ domain: String, _ cause: String, _ since: Date,
                        _ up: Date?, _ dependents: [String]) {
        let host = board.host(at: position)
        notifier.notify(IncidentEvent(kind: kind, domain: domain, checkID: host.id, cause: cause, downDetection: since,
                                      upDetection: up, name: host.name, dependents: dependents))
    }
}

extension MonitorEvent {
    /// The place of the host an incident event is about; nil for pings and reloads.
    var incidentHost: Int? {
        switch self {
        case .incidentOpened(let opened): opened.host
        case .incidentClosed(let closed): closed.host
        case .incidentClassified(let classified): classified.host
        case .incidentDescribed(let described): described.host
        case .incidentAdopted(let adopted): adopted.host
        case .pinged, .hostsChanged: nil
        }
    }
}
