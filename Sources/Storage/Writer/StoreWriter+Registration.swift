// Registration, the writer's first work: migrate the schema, get every configured domain's check id, and read
// what the database knows that this run may not (ongoing incidents, and the history the uptime figures need),
// then hand it to whoever composes the daemon. A reload's new hosts are registered the same way, in order with
// the other writes, and handed over the same way (for those hosts only).
import Foundation

extension StoreWriter {
    /// What the database said at registration.
    package struct Registration: Sendable {
        /// Check ids by domain, for every domain registered (every configured one, or a reload's new ones).
        package var ids: [String: Int64]
        /// Ongoing incidents of domains for which no change was waiting at that moment (so the database's word
        /// is the newest there is about them).
        package var ongoingWithoutPendingChanges: [String: Incident]
        /// The registration's history window of incidents and gaps, for the uptime figures.
        package var history: StoredHistory
    }

    /// Registers checks for domains a reload added (and hands them over as at start); returns at once.
    package func register(domains: [String]) {
        guard !domains.isEmpty else { return }
        let start = state.withLock { state -> Bool in
            state.writes.append(.registerMore(domains))
            return Self.claimDrain(&state)
        }
        if start { startDrain() }
    }

    /// `more`: a reload's domains, registered after the first registration; nil for the first (every configured
    /// domain, after migrating the schema).
    func register(_ session: Session, more: [String]? = nil) throws {
        if more == nil { try session.store.migrate() }
        let checks = try session.store.registerChecks(domains: more ?? domains)
        let registered = Dictionary(checks.map { ($0.domain, $0.id) }, uniquingKeysWith: { first, _ in first })
        let touched = state.withLock { $0.writes.domainsWithWaitingChanges }
        // The history holds every ongoing incident (they reach up to now): one query instead of one per check.
        var history = try session.store.history(since: Date().addingTimeInterval(-historyWindow))
        if more != nil {
            let ids = Set(registered.values)
            history.incidents.removeAll { !ids.contains($0.checkID) }
        }
        var ongoingByCheck: [Int64: Incident] = [:]
        for incident in history.incidents where incident.isOngoing { ongoingByCheck[incident.checkID] = incident }
        var ongoing: [String: Incident] = [:]
        for check in checks where !touched.contains(check.domain) {
            if let incident = ongoingByCheck[check.id] { ongoing[check.domain] = incident }
        }
        session.ids.merge(registered) { _, new in new }
        state.withLock { $0.registered = true }
        journal?.remember(ids: session.ids)
        logger.info("checks_registered", ["checks": checks.count, "ongoing_incidents": ongoing.count,
                                          "reload": more != nil])
        session.onRegistered(Registration(ids: registered, ongoingWithoutPendingChanges: ongoing, history: history))
    }
}
