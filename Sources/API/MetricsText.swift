// GET /metrics: the hosts and the daemon in Prometheus' text exposition format (version 0.0.4). Per host: up,
// last round-trip time and a histogram of them since start, loss, uptime per window and incidents opened; for the daemon: pings, replies, the
// database, the journal and the HTTP responses by status code.
import Foundation
import Monitor
import Storage

/// The daemon's own figures at the moment of a scrape.
package struct DaemonFigures: Sendable {
    package var pingsSent: UInt64
    package var pingReplies: UInt64
    package var databaseReachable: Bool
    package var journalWaiting: Int
    package var pendingWrites: Int
    package var responses: [(code: Int, count: UInt64)]
    package var startedAt: Date
    /// Log lines dropped because stdout did not take them fast enough.
    package var logLinesDropped: UInt64
    /// The history writer's (rows written, statements, closed steps waiting and dropped, late pings); nil without.
    package var history: HistoryFigures?

    package init(pingsSent: UInt64, pingReplies: UInt64, databaseReachable: Bool, journalWaiting: Int,
                pendingWrites: Int, responses: [(code: Int, count: UInt64)], startedAt: Date, logLinesDropped: UInt64 = 0,
                history: HistoryFigures? = nil) {
        self.logLinesDropped = logLinesDropped
        self.history = history
        self.pingsSent = pingsSent
        self.pingReplies = pingReplies
        self.databaseReachable = databaseReachable
        self.journalWaiting = journalWaiting
        self.pendingWrites = pendingWrites
        self.responses = responses
        self.startedAt = startedAt
    }
}

package enum MetricsText {
    package static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    package static func render(checks: [CheckView], daemon: DaemonFigures) -> [UInt8] {
        let hosts = checks.map(\.host)
        var out = ""
        out.reserveCapacity(512 + hosts.count * 600)
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        func sample(_ name: String, _ labels: String, _ value: String) {
            out += labels.isEmpty ? "\(name) \(value)\n" : "\(name){\(labels)} \(value)\n"
        }
        let hostLabels = hosts.map { "host=\"\(escape($0.domain))\"" }

        family("status_host_up", "gauge", "1 while the host is up (or not yet pinged), 0 while it is down.")
        for (index, host) in hosts.enumerated() { sample("status_host_up", hostLabels[index], host.reportedUp ? "1" : "0") }
        family("status_host_state", "gauge", "1 for the host's state (pending, up, down, unreachable, maintenance), 0 for the others.")
        for (index, host) in hosts.enumerated() {
            for state in HostState.allCases {
                sample("status_host_state", "\(hostLabels[index]),state=\"\(state.rawValue)\"", host.reportedState == state ? "1" : "0")
            }
        }
        family("status_host_last_rtt_seconds", "gauge", "Round-trip time of the host's last good ping.")
        for (index, host) in hosts.enumerated() {
            if let rtt = host.lastRTTMilliseconds { sample("status_host_last_rtt_seconds", hostLabels[index], number(rtt / 1000)) }
        }
        family("status_host_rtt_seconds", "histogram",
               "Round-trip times of the host's answered pings since the daemon started.")
        let bounds = RTTHistogram.bounds.map(number) + ["+Inf"]
        for (index, host) in hosts.enumerated() {
            let counts = host.rtts.cumulative
            for (bound, count) in zip(bounds, counts) {
                sample("status_host_rtt_seconds_bucket", "\(hostLabels[index]),le=\"\(bound)\"", String(count))
            }
            sample("status_host_rtt_seconds_sum", hostLabels[index], number(host.rtts.sum))
            sample("status_host_rtt_seconds_count", hostLabels[index], String(counts.last ?? 0))
        }
        family("status_host_packet_loss_ratio", "gauge", "Share of the host's last 64 pings that got no reply (0 to 1).")
        for (index, host) in hosts.enumerated() {
            if let loss = host.recent.lossPercent { sample("status_host_packet_loss_ratio", hostLabels[index], number(loss / 100)) }
        }
        family("status_host_uptime_ratio", "gauge", "Share of the watched time the host was up, over the window (0 to 1).")
        for index in checks.indices {
            let figures = checks[index].figures
            for (window, value) in [("24h", figures.uptime24h), ("7d", figures.uptime7d), ("30d", figures.uptime30d)] {
                if let value { sample("status_host_uptime_ratio", "\(hostLabels[index]),window=\"\(window)\"", number(value / 100)) }
            }
        }
        family("status_host_incidents_total", "counter", "Incidents opened for the host since the daemon started.")
        for (index, host) in hosts.enumerated() { sample("status_host_incidents_total", hostLabels[index], String(host.incidentsOpened)) }

        family("status_pings_sent_total", "counter", "Echo requests sent since the daemon started.")
        sample("status_pings_sent_total", "", String(daemon.pingsSent))
        family("status_ping_replies_total", "counter", "Echo replies received in time since the daemon started.")
        sample("status_ping_replies_total", "", String(daemon.pingReplies))
        family("status_database_up", "gauge", "1 while the database is reachable.")
        sample("status_database_up", "", daemon.databaseReachable ? "1" : "0")
        family("status_journal_records", "gauge", "State changes waiting in the journal for the database.")
        sample("status_journal_records", "", String(daemon.journalWaiting))
        family("status_pending_writes", "gauge", "Database writes queued in memory.")
        sample("status_pending_writes", "", String(daemon.pendingWrites))
        family("status_http_requests_total", "counter", "HTTP responses sent since the daemon started, by status code.")
        for (code, count) in daemon.responses { sample("status_http_requests_total", "code=\"\(code)\"", String(count)) }
        family("status_log_lines_dropped_total", "counter", "Log lines dropped because stdout did not take them in time.")
        sample("status_log_lines_dropped_total", "", String(daemon.logLinesDropped))
        if let history = daemon.history {
            family("status_history_rows_written_total", "counter", "History rows written to the database (steps, and merged hours and days).")
            sample("status_history_rows_written_total", "", String(history.rowsWritten))
            family("status_history_statements_total", "counter", "Statements that wrote history rows (steps, and merged hours and days).")
            sample("status_history_statements_total", "", String(history.statements))
            family("status_history_spooled_steps", "gauge", "Closed history steps waiting in STATE_DIR/history for the database.")
            sample("status_history_spooled_steps", "", String(history.spooledSteps))
            family("status_history_dropped_steps_total", "counter", "Closed history steps dropped because the spool was full.")
            sample("status_history_dropped_steps_total", "", String(history.droppedSteps))
            family("status_history_late_pings_total", "counter", "Pings that completed after their history step had closed (not counted).")
            sample("status_history_late_pings_total", "", String(history.latePings))
        }
        family("status_start_time_seconds", "gauge", "When the daemon started, in seconds since 1970.")
        sample("status_start_time_seconds", "", number(daemon.startedAt.timeIntervalSince1970))
        return Array(out.utf8)
    }

    /// A label value: backslash, double quote and line feed escaped, as the format asks.
    static func escape(_ value: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count)
        for character in value.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    private static func number(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "+Inf" : "-Inf") }
        return String(format: "%.6g", value)
    }
}
