// A tracker's effects carried out: log lines and events, with each outage classified when it opens — the host's
// own ("down", notified), behind a down ancestor ("unreachable", recorded with the ancestor named, not
// notified), or inside a maintenance window (recorded, not notified) — and classified again when that changes.
import Encoding
import Foundation
import ICMP

extension MonitorCore {
    /// `incident`: the database's incident the effect is about, when the database named it.
    func carryOut(_ effect: HostTracker.Effect, for host: HostRuntime, incident: OngoingIncident?) {
        let incidentID = incident?.id
        let domain = host.spec.domain
        switch effect {
        case .pinged(let outcome, let sentAt, let completedAt, let isDown, let downSince, let flipped):
            let success: Bool
            if case .reply = outcome { success = true } else { success = false }
            host.lastResult = (sentAt, success)
            host.probing = false
            if isDown, !success, !flipped { reconsider(host, failedPingSentAt: sentAt) }
            emit(.pinged(PingReport(host: host.position, domain: domain, outcome: outcome, sentAt: sentAt,
                                    completedAt: completedAt, isDown: isDown, downSince: downSince, flipped: flipped,
                                    state: state(of: host, at: completedAt))))
            if !host.waiters.isEmpty { settleWaiters(of: host) }
        case .opened(let cause, let since):
            downTransitions += 1
            let kind = decide(host, streakStart: since, at: Date())
            host.outage = kind
            let (description, behind) = incidentText(host, kind)
            logger.warning("host_down", ["host": domain, "since": JSONText.time(since), "cause": cause,
                                         "state": kind.state.rawValue, "behind": behind?.domain ?? "none"])
            emit(.incidentOpened(IncidentOpened(host: host.position, domain: domain, cause: description,
                                                downDetection: since, kind: kind, behind: behind,
                                                dependents: kind.announced ? dependents(of: host) : [])))
            updateChildren(of: host)
        case .closed(let cause, let since, let up, let announced):
            let told = announced && (host.outage?.announced ?? true)
            if announced {
                logger.info("host_up", ["host": domain, "since": JSONText.time(up)])
            } else {
                logger.info("incident_closed_on_reconnect", ["host": domain, "incident": incidentID ?? 0,
                                                             "up_since": JSONText.time(up)])
            }
            endAwaiting(host)
            host.outage = nil
            host.recheckAfter = nil
            emit(.incidentClosed(IncidentClosed(host: host.position, domain: domain, cause: cause, downDetection: since,
                                                upDetection: up, announced: told,
                                                dependents: told ? dependents(of: host) : [])))
            updateChildren(of: host)
        case .described(let cause):
            logger.info("incident_cause", ["host": domain, "cause": cause])
            if case .unreachable = host.outage { return }  // its description names the ancestor, not its own cause
            emit(.incidentDescribed(IncidentDescribed(host: host.position, domain: domain, cause: cause)))
        case .adopted(let cause, let since):
            logger.info("incident_adopted", ["host": domain, "incident": incidentID ?? 0, "since": JSONText.time(since)])
            // Not notified when it opened (behind a down ancestor, in maintenance): its first failed ping from
            // now on says what it is now; a reply closes it quietly.
            if incident?.maintenance == true {
                host.outage = .maintenance
            } else if incident?.unannounced == true {
                host.outage = .down(announced: false)
                host.recheckAfter = Date()
            } else {
                host.outage = .down(announced: true)
            }
            emit(.incidentAdopted(IncidentOpened(host: host.position, domain: domain, cause: cause, downDetection: since,
                                                 kind: host.outage ?? .down(announced: true))))
            updateChildren(of: host)
        }
    }

    /// What people see of `host` at `date`.
    func state(of host: HostRuntime, at date: Date) -> HostState {
        if host.inMaintenance(at: date) { return .maintenance }
        if host.tracker.isDown { return host.outage?.state == .unreachable ? .unreachable : .down }
        return host.lastResult == nil ? .pending : .up
    }

    /// A failed ping of a host that is down may change what its outage is: a maintenance window ended, or the
    /// ancestor it was behind came back (`recheckAfter`) and it still does not answer.
    func reconsider(_ host: HostRuntime, failedPingSentAt sentAt: Date) {
        if host.outage == .maintenance, !host.inMaintenance(at: sentAt) {
            return classify(host, as: decide(host, streakStart: sentAt, at: sentAt))
        }
        if let after = host.recheckAfter, sentAt >= after {
            host.recheckAfter = nil
            classify(host, as: decide(host, streakStart: after, at: sentAt))
        }
    }

    /// Records a new kind for the host's ongoing outage, notifying it now if it becomes announced.
    func classify(_ host: HostRuntime, as kind: OutageKind) {
        guard host.tracker.isDown, kind != host.outage, let since = host.tracker.ongoing?.since else { return }
        let announceNow = kind.announced && !(host.outage?.announced ?? false)
        host.outage = kind
        let (description, behind) = incidentText(host, kind)
        logger.info("incident_classified", ["host": host.spec.domain, "state": kind.state.rawValue,
                                            "behind": behind?.domain ?? "none", "notified": announceNow])
        emit(.incidentClassified(IncidentClassified(host: host.position, domain: host.spec.domain, cause: description,
                                                    downDetection: since, kind: kind, behind: behind,
                                                    dependents: announceNow ? dependents(of: host) : [],
                                                    announceNow: announceNow)))
        updateChildren(of: host)
    }

    /// The incident's description for `kind`, and the ancestor it is behind.
    func incidentText(_ host: HostRuntime, _ kind: OutageKind) -> (String, Behind?) {
        guard case .unreachable(let position) = kind else { return (host.tracker.ownCause, nil) }
        let ancestor = hosts[position]
        let since = ancestor.tracker.ongoing?.since ?? Date()
        let how = ancestor.outage == .maintenance ? "which is down during maintenance" : "which is down"
        return ("unreachable: behind \(ancestor.spec.domain), \(how)", Behind(domain: ancestor.spec.domain, downDetection: since))
    }

    /// The domains of every host below `host` in the file, for its notification.
    func dependents(of host: HostRuntime) -> [String] {
        graph.descendants(of: host.position).map { hosts[$0].spec.domain }
    }
}
