// The drain, on the store's queue: the head of the pending writes is written (after its journal append has
// finished), then the next; while the database is unavailable the head is retried with back-off and everything
// else waits behind it. Registration failures other than unavailability are retried slowly: the checks must be
// registered before anything else.
import Encoding
import Foundation
import Platform

extension StoreWriter {
    func drain(_ session: Session) {
        while true {
            let next = state.withLock { state -> PendingWrites.Work? in
                if let head = state.writes.head { return head }
                state.draining = false
                return nil
            }
            guard let work = next else { return }
            if case .change(let sequence?, _) = work { journal?.waitUntilAppended(sequence) }
            do {
                try apply(work, session)
                recovered(session)
            } catch StoreError.unavailable(let reason) {
                failedAttempt(reason, session)
                retryLater(session)
                return
            } catch {
                if case .register = work {
                    failedAttempt("\(error)", session)
                    session.failures = max(session.failures, 64)  // the longest wait
                    retryLater(session)
                    return
                }
                recovered(session)
                logger.error("db_write_failed", ["change": "\(work)", "reason": "\(error)"])
            }
            state.withLock { $0.writes.removeHead() }
            if case .change(let sequence?, _) = work { journal?.applied(through: sequence) }
        }
    }

    private func retryLater(_ session: Session) {
        let delay = backoff.delay(afterFailures: session.failures)
        self.session.queue.asyncAfter(seconds: delay) { [self] in drain(self.session.value) }
    }

    private func apply(_ work: PendingWrites.Work, _ session: Session) throws {
        switch work {
        case .register:
            try register(session)
        case .registerMore(let domains):
            try register(session, more: domains)
        case .checks(let updates):
            try session.store.updateChecks(try updates.map { domain, update in
                CheckUpdate(id: try id(of: domain, session), lastPerformed: update.lastPerformed, status: update.status)
            }.sorted { $0.id < $1.id })
        case .change(_, let change):
            try apply(change, session)
        }
    }

    private func apply(_ change: StateChange, _ session: Session) throws {
        let store = session.store
        switch change {
        case .performed(let domain, let at, let status), .flipped(let domain, let at, let status):
            try store.updateChecks([CheckUpdate(id: try id(of: domain, session), lastPerformed: at, status: status)])
        case .opened(let domain, let description, let downDetection, let marks):
            let id = try id(of: domain, session)
            do {
                _ = try store.openIncident(checkID: id, description: description, downDetection: downDetection,
                                           parentIncidentID: try parentIncident(marks, session),
                                           maintenance: marks.maintenance)
            } catch StoreError.ongoingIncidentExists {
                // Another incident of this check is open (one an earlier run opened): that one goes on.
                logger.info("incident_already_open", ["host": domain])
            }
        case .closed(let domain, let upDetection):
            _ = try store.closeIncident(checkID: try id(of: domain, session), upDetection: upDetection)
        case .described(let domain, let description):
            try store.describeOngoingIncident(checkID: try id(of: domain, session), description: description)
        case .classified(let domain, let description, let marks):
            try store.classifyOngoingIncident(checkID: try id(of: domain, session), description: description,
                                              parentIncidentID: try parentIncident(marks, session),
                                              maintenance: marks.maintenance)
        case .gap(let from, let until, let reason):
            try store.recordGap(from: from, until: until, reason: reason)
        }
    }

    /// The id of the ancestor's incident the marks name (written before this change: the monitor opened it first).
    private func parentIncident(_ marks: IncidentMarks, _ session: Session) throws -> Int64? {
        guard let domain = marks.parentDomain, let since = marks.parentDownDetection else { return nil }
        return try session.store.incidentID(checkID: try id(of: domain, session), downDetection: since)
    }

    /// A check's id; a domain that is no longer configured (a change an earlier run journaled) is registered.
    func id(of domain: String, _ session: Session) throws -> Int64 {
        if let id = session.ids[domain] { return id }
        guard let check = try session.store.registerChecks(domains: [domain]).first else {
            throw StoreError.failed("could not register \(domain)")
        }
        session.ids[domain] = check.id
        return check.id
    }

    private func failedAttempt(_ reason: String, _ session: Session) {
        session.failures += 1
        let first = state.withLock { state -> Bool in
            guard state.unavailable == nil else { return false }
            state.unavailable = (Date(), .now())
            return true
        }
        if first { logger.warning("db_unavailable", ["reason": reason, "pending": pendingCount]) }
    }

    private func recovered(_ session: Session) {
        session.failures = 0
        let since = state.withLock { state -> MonotonicInstant? in
            defer { state.unavailable = nil }
            return state.unavailable?.at
        }
        if let since {
            logger.info("db_back", ["down_for_s": String(format: "%.1f", MonotonicInstant.now().seconds(since: since))])
        }
    }
}
