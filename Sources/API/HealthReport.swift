// GET /healthz, for docker healthchecks and uptime checks of the checker: 200 while the hosts are being pinged
// (the answer itself shows the API is served), 503 when the schedule has stalled. The body says whether the
// database is reachable and how many changes wait in the journal; a database outage alone is not unhealthy,
// since the daemon rides it out and restarting it would not help.
import Encoding
import Foundation
import Monitor
import Storage

package final class HealthReport: Sendable {
    private let monitor: Monitor
    private let writer: StoreWriter
    /// The schedule counts as stalled when no ping was due for this long.
    private let stallNanoseconds: UInt64

    package init(monitor: Monitor, writer: StoreWriter, interval: Double) {
        self.monitor = monitor
        self.writer = writer
        stallNanoseconds = UInt64((max(2 * interval, 2) + 1) * 1e9)
    }

    /// The status code and JSON body.
    package func report() -> (Int, [UInt8]) {
        let age = monitor.nanosecondsSinceLastTick()
        let pinging = age.map { $0 <= stallNanoseconds } ?? false
        var json = JSONBuffer(capacity: 160)
        json.raw("{\"status\":")
        json.string(pinging ? "ok" : "stalled")
        json.raw(",\"pinging\":")
        json.bool(pinging)
        json.raw(",\"last_ping_age_ms\":")
        if let age { json.integer(Int64(age / 1_000_000)) } else { json.raw("null") }
        json.raw(",\"database\":")
        json.string(writer.databaseReachable ? "reachable" : "unreachable")
        json.raw(",\"journal_waiting\":")
        json.integer(Int64(writer.journalWaiting))
        json.raw(",\"pending_writes\":")
        json.integer(Int64(writer.pendingCount))
        json.raw("}")
        return (pinging ? 200 : 503, json.bytes)
    }
}
