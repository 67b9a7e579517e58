// The coordinator's reading of the other probes: each shared host's verdict, settled in the database when it
// differs from the ongoing incident; the consensus and every probe's view on the board; this probe's own view
// when the database is away.
import Consensus
import Encoding
import Foundation
import Monitor
import Storage

extension ProbeCoordinator {
    func settle(_ hosts: [HostStatus], views: [Int64: [StoredView]], _ state: State) throws {
        var sharedPositions = Set<Int>()
        var sharedIDs = Set<Int64>()
        var overlays: [Int: ClusterOverlay?] = [:]
        for host in hosts {
            let stored = views[host.id] ?? []
            let others = stored.filter { $0.live && $0.view.probe != settings.name }.map(\.view)
            let wasShared = state.sharedIDs.contains(host.id)
            guard !others.isEmpty || wasShared, let mine = view(of: host) else {
                if state.overlays[host.position] != nil { overlays[host.position] = .some(nil) }
                continue
            }
            let live = (others + [mine]).sorted { $0.probe < $1.probe }
            let verdict = Verdict.of(live, quorum: settings.quorum)
            let ongoing = state.ongoing[host.id]
            if needsSettling(verdict, ongoing) {
                try settleHost(host, state)
            }
            if others.isEmpty {
                // Alone again: the host shows this probe's own view. The monitor's own incidents take over once
                // the consensus's incident is closed; until then this probe settles it alone, so that incident is
                // closed (and notified) once, here, never also by the monitor's feeds.
                if state.overlays[host.position] != nil { overlays[host.position] = .some(nil) }
                if state.ongoing[host.id] != nil {
                    sharedPositions.insert(host.position)
                    sharedIDs.insert(host.id)
                }
                continue
            }
            sharedPositions.insert(host.position)
            sharedIDs.insert(host.id)
            let now = state.ongoing[host.id]
            let overlay = ClusterOverlay(view: .consensus, down: now != nil, downSince: now?.downDetection, probes: live)
            if state.overlays[host.position] != overlay { overlays[host.position] = overlay }
        }
        state.sharedIDs = sharedIDs
        publishShared(sharedPositions)
        apply(overlays, state)
    }

    private func needsSettling(_ verdict: Verdict, _ ongoing: OngoingSummary?) -> Bool {
        switch verdict {
        case .down(_, _, let kind): return ongoing.map { $0.differs(from: kind) } ?? true
        case .up: return ongoing != nil
        case .undecided: return false
        }
    }

    /// Settles one host under lock, from the views the database holds (this probe's was written this tick).
    private func settleHost(_ host: HostStatus, _ state: State) throws {
        let me = settings.name
        let quorum = settings.quorum
        let result = try state.store.settle(checkID: host.id) { stored, ongoing in
            let live = stored.filter { $0.live || $0.view.probe == me }.map(\.view)
            switch Verdict.of(live, quorum: quorum) {
            case .down(let since, let description, let kind):
                guard let ongoing else { return .open(downDetection: since, description: description, kind: kind) }
                return ongoing.differs(from: kind) ? .reclassify(description: description, kind: kind) : .keep
            case .up(let since) where ongoing != nil: return .close(upDetection: since)
            default: return .keep
            }
        }
        switch result {
        case .opened(let id, let downDetection, let description, let kind):
            state.ongoing[host.id] = OngoingSummary(id: id, downDetection: downDetection, description: description,
                                                    announced: kind.announced, maintenance: kind == .maintenance)
            logger.info("incident_opened", ["host": host.domain, "check_id": host.id, "incident_id": id,
                                            "down_detection": JSONText.time(downDetection), "cause": description,
                                            "kind": Self.name(kind), "by": "consensus"])
        case .reclassified(let id, let kind):
            state.ongoing[host.id]?.announced = kind.announced
            state.ongoing[host.id]?.maintenance = kind == .maintenance
            logger.info("incident_classified", ["host": host.domain, "check_id": host.id, "incident_id": id,
                                                "kind": Self.name(kind), "by": "consensus"])
        case .closed(let id, let upDetection, let announced):
            state.ongoing[host.id] = nil
            logger.info("incident_closed", ["host": host.domain, "check_id": host.id, "incident_id": id,
                                            "up_detection": JSONText.time(upDetection), "notified": announced,
                                            "by": "consensus"])
        case .unchanged:
            break
        }
    }

    /// The kind, as the logs name it.
    static func name(_ kind: IncidentKind) -> String {
        switch kind {
        case .own: return "down"
        case .unreachable(let behind): return "unreachable behind \(behind)"
        case .maintenance: return "maintenance"
        }
    }

    /// The uptime ledger learns the shared hosts' incidents that opened or closed since the last reading,
    /// whichever probe settled them.
    func tellLedger(_ hosts: [HostStatus], before: [Int64: OngoingSummary], _ state: State) throws {
        for host in hosts where state.sharedIDs.contains(host.id) {
            let was = before[host.id], now = state.ongoing[host.id]
            guard was?.id != now?.id else { continue }
            if let was {
                let up = try state.store.upDetection(incidentID: was.id) ?? Date()
                onIncident(host.domain, was.downDetection, up)
            }
            if let now { onIncident(host.domain, now.downDetection, nil) }
        }
    }

    /// Without the database: shared hosts show this probe's own view, marked "local".
    func showLocal(_ hosts: [HostStatus], _ state: State) {
        var overlays: [Int: ClusterOverlay?] = [:]
        for host in hosts {
            guard var overlay = state.overlays[host.position], let mine = view(of: host) else { continue }
            overlay.view = .local
            overlay.down = mine.isDown
            overlay.downSince = mine.isDown ? mine.since : nil
            if let index = overlay.probes.firstIndex(where: { $0.probe == settings.name }) { overlay.probes[index] = mine }
            if state.overlays[host.position] != overlay { overlays[host.position] = overlay }
        }
        apply(overlays, state)
    }

    private func apply(_ overlays: [Int: ClusterOverlay?], _ state: State) {
        guard !overlays.isEmpty else { return }
        for (position, overlay) in overlays { state.overlays[position] = overlay }
        board.applyCluster(overlays)
    }
}
