// Registration, the writer's first work: migrate the schema, get every configured domain's check id, and read
// what the database knows that this run may not (ongoing incidents, and the history the uptime figures need),
// then hand it to whoever composes the daemon.
import Foundation

extension StoreWriter {
    /// What the database said at registration.
    package struct Registration: Sendable {
        /// Check ids by domain, for every configured domain.
        package var ids: [String: Int64]
        /// Ongoing incidents of domains for which no change was waiting at that moment (so the database's word
        /// is the newest there is about them).
        package var ongoingWithoutPendingChanges: [String: Incident]
        /// The registration's history window of incidents and gaps, for the uptime figures.
        package var history: StoredHistory
    }

    func register(_ session: Session) throws {
        try session.store.migrate()
        let checks = try session.store.registerChecks(domains: domains)
        let registered = Dictionary(checks.map { ($0.domain, $0.id) }, uniquingKeysWith: { first, _ in first })
        let touched = state.withLock { $0.writes.domainsWithWaitingChanges }
        // The history holds every ongoing incident (they reach up to now): one query instead of one per check.
        let history = try session.store.history(since: Date().addingTimeInterval(-historyWindow))
        var ongoingByCheck: [Int64: Incident] = [:]
        for incident in history.incidents where incident.isOngoing { ongoingByCheck[incident.checkID] = incident }
        var ongoing: [String: Incident] = [:]
        for check in checks where !touched.contains(check.domain) {
            if let incident = ongoingByCheck[check.id] { ongoing[check.domain] = incident }
        }
        session.ids = registered
        state.withLock { $0.registered = true }
        journal?.remember(ids: registered)
        logger.info("checks_registered", ["checks": checks.count, "ongoing_incidents": ongoing.count])
        session.onRegistered(Registration(ids: registered, ongoingWithoutPendingChanges: ongoing, history: history))
    }
}
