// The monitor's subscribers that are not the status board: each turns the monitor's events into what its part
// records. The store writer gets state changes (a ping that only moves last_performed is batched there), the
// uptime ledger the incidents' spans, the webhooks every incident opened or closed (with the check id, which the
// board has once the database registered it).
import Monitor
import Storage
import Uptime
import Webhooks

final class StoreFeed: MonitorObserver {
    let writer: StoreWriter

    init(_ writer: StoreWriter) { self.writer = writer }

    func monitor(_ event: MonitorEvent) {
        switch event {
        case .pinged(let ping):
            writer.submit(ping.flipped ? .flipped(domain: ping.domain, at: ping.completedAt, status: !ping.isDown)
                                       : .performed(domain: ping.domain, at: ping.completedAt, status: !ping.isDown))
        case .incidentOpened(let opened):
            writer.submit(.opened(domain: opened.domain, description: opened.cause, downDetection: opened.downDetection))
        case .incidentClosed(let closed):
            writer.submit(.closed(domain: closed.domain, upDetection: closed.upDetection))
        case .incidentDescribed(let described):
            writer.submit(.described(domain: described.domain, description: described.cause))
        case .incidentAdopted:
            break  // the database handed it over: it has it
        }
    }
}

final class UptimeFeed: MonitorObserver {
    let ledger: UptimeLedger

    init(_ ledger: UptimeLedger) { self.ledger = ledger }

    func monitor(_ event: MonitorEvent) {
        switch event {
        case .incidentOpened(let opened):
            ledger.recordOpened(domain: opened.domain, downDetection: opened.downDetection)
        case .incidentClosed(let closed):
            ledger.recordClosed(domain: closed.domain, upDetection: closed.upDetection)
        case .pinged, .incidentDescribed, .incidentAdopted:
            break
        }
    }
}

final class WebhookFeed: MonitorObserver {
    let notifier: WebhookNotifier
    let board: StatusBoard

    init(_ notifier: WebhookNotifier, board: StatusBoard) {
        self.notifier = notifier
        self.board = board
    }

    func monitor(_ event: MonitorEvent) {
        switch event {
        case .incidentOpened(let opened):
            notifier.notify(IncidentEvent(kind: .opened, domain: opened.domain, checkID: board.checkID(opened.host),
                                          cause: opened.cause, downDetection: opened.downDetection, upDetection: nil))
        case .incidentClosed(let closed):
            guard closed.announced, let since = closed.downDetection else { return }
            notifier.notify(IncidentEvent(kind: .closed, domain: closed.domain, checkID: board.checkID(closed.host),
                                          cause: closed.cause, downDetection: since, upDetection: closed.upDetection))
        case .pinged, .incidentDescribed, .incidentAdopted:
            break
        }
    }
}
