// What the state directory says about the previous run, read once at start and handed to each part: the check
// ids and the hosts that were down (for the status board, the monitor and the uptime ledger), and the time nobody
// watched (for the store and the ledger). The journal's unwritten changes go to the store writer with the journal.
import Foundation
import Monitor
import Storage

struct Recovery: Sendable {
    let ids: [String: Int64]
    /// Hosts with an ongoing incident, and when it began.
    let downSince: [String: Date]
    /// From the previous run's last sign of life to this run's start; nil on a first run.
    let gap: MonitorGap?
    let damagedRecords: [String]
    let replayed: Int

    init(_ recovered: Journal.Recovered, started: Date) {
        ids = recovered.ids
        downSince = recovered.downSince
        gap = recovered.lastAlive.map { MonitorGap(from: $0.at, until: started, reason: $0.stoppedCleanly ? "stopped" : "crashed") }
        damagedRecords = recovered.problems
        replayed = recovered.changes.count
    }

    /// The status board's first state: each host with its known id, down since when the journal says.
    func hostStatuses(_ hosts: [HostSpec]) -> [HostStatus] {
        hosts.map { spec in HostStatus(spec: spec, id: ids[spec.domain] ?? 0, downSince: downSince[spec.domain]) }
    }
}
