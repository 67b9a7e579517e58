// The coordinator's share of the outbox: when this probe has webhooks, it claims the rows no live probe is
// sending, hands each to the notifier, keeps the lease of those still on their way, and marks each sent once
// every URL has it (or gave it up). A probe that dies with rows claimed loses them to another after the lease.
import Foundation
import Monitor
import Storage
import Webhooks

extension ProbeCoordinator {
    func sendOutbox(_ state: State) {
        guard let notifier else { return }
        do {
            // Rows delivered whose mark did not reach the database: marked first, and never sent again.
            for id in state.unmarked.sorted() {
                try state.store.markSent(id: id)
                state.unmarked.remove(id)
            }
            try state.store.renewClaims(probe: settings.name, ids: Array(state.sending))
            for item in try state.store.claimOutbox(probe: settings.name) where !state.sending.contains(item.id) {
                state.sending.insert(item.id)
                logger.info("outbox_claimed", ["id": item.id, "event": item.opened ? "opened" : "closed",
                                               "incident_id": item.incidentID, "host": item.domain])
                let name = board.position(domain: item.domain).map { board.host(at: $0).name }
                let event = IncidentEvent(kind: item.opened ? .opened : .closed, domain: item.domain, checkID: item.checkID,
                                          cause: item.description, downDetection: item.downDetection,
                                          upDetection: item.opened ? nil : item.upDetection, name: name,
                                          dependents: board.dependents(of: item.domain))
                notifier.notify(event) { [self] delivered in
                    self.state.async { [self] state in
                        state.sending.remove(item.id)
                        state.unmarked.insert(item.id)
                        do {
                            try state.store.markSent(id: item.id)
                            state.unmarked.remove(item.id)
                        } catch {
                            logger.warning("outbox_unmarked", ["id": item.id, "reason": "\(error)"])
                        }
                        if !delivered { logger.warning("outbox_given_up", ["id": item.id, "host": item.domain]) }
                    }
                }
            }
        } catch {
            logger.warning("outbox_unavailable", ["reason": "\(error)"])
        }
    }
}
