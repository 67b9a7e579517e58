// GET /healthz, for docker healthchecks and uptime checks of the checker: 200 while the hosts are being pinged
// (the answer itself shows the API is served), 503 when the schedule has stalled. The body says whether the
// database is reachable and how many changes wait in the journal; a database outage alone is not unhealthy,
// since the daemon rides it out and restarting it would not help. It also says where the hosts come from and how
// the host file's last reload went.
import Encoding
import Foundation
import Monitor
import Storage

/// The configuration's part of /healthz: the host file, when the hosts running now were loaded, and the last
/// reload's outcome (nil before the first).
package struct ConfigStatus: Equatable, Sendable {
    package struct Reload: Equatable, Sendable {
        package var at: Date
        package var applied: Bool
        /// Why it was rejected ("hosts.txt:12: …"); nil when applied.
        package var error: String?

        package init(at: Date, applied: Bool, error: String?) {
            self.at = at
            self.applied = applied
            self.error = error
        }
    }

    package var file: String?
    package var loadedAt: Date
    package var lastReload: Reload?

    package init(file: String?, loadedAt: Date, lastReload: Reload? = nil) {
        self.file = file
        self.loadedAt = loadedAt
        self.lastReload = lastReload
    }
}

package final class HealthReport: Sendable {
    private let monitor: Monitor
    private let writer: StoreWriter
    private let config: (@Sendable () -> ConfigStatus)?
    /// The schedule counts as stalled when no ping was due for this long.
    private let stallNanoseconds: UInt64

    package init(monitor: Monitor, writer: StoreWriter, interval: Double, config: (@Sendable () -> ConfigStatus)? = nil) {
        self.monitor = monitor
        self.writer = writer
        self.config = config
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
        if let status = config?() { Self.write(status, into: &json) }
        json.raw("}")
        return (pinging ? 200 : 503, json.bytes)
    }

    private static func write(_ status: ConfigStatus, into json: inout JSONBuffer) {
        json.raw(",\"config\":{\"file\":")
        if let file = status.file { json.string(file) } else { json.raw("null") }
        json.raw(",\"loaded_at\":")
        json.string(JSONText.time(status.loadedAt))
        json.raw(",\"last_reload\":")
        if let reload = status.lastReload {
            json.raw("{\"at\":")
            json.string(JSONText.time(reload.at))
            json.raw(",\"result\":")
            json.string(reload.applied ? "applied" : "rejected")
            json.raw(",\"error\":")
            if let error = reload.error { json.string(error) } else { json.raw("null") }
            json.raw("}")
        } else {
            json.raw("null")
        }
        json.raw("}")
    }
}
