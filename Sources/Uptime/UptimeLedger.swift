// The recent history of every host, kept in memory for the uptime figures: since when each host is watched,
// its incidents of the last 30 days, and the gaps nobody watched. Loaded from the database once it is reached,
// and kept current by the monitor's incident events (so incidents of a run without the database count too).
// Hosts are known by their place in the configuration, as on the status board.
import Encoding
import Foundation
import Platform
import Storage
import Synchronization

package final class UptimeLedger: Sendable {
    private struct Span {
        var down: Date
        var up: Date?
        /// Seen by this run (not only loaded from the database).
        var local: Bool
    }

    private struct History {
        var watchedSince: [Date]
        var spans: [[Span]]
        var gaps: [MonitorGap] = []
        /// When the spans were last trimmed (monotonic: it is an interval, not a time users see).
        var lastTrim: MonotonicInstant?

        mutating func addGap(_ gap: MonitorGap) {
            if !gaps.contains(where: { $0.from.isSameMillisecond(as: gap.from) }) { gaps.append(gap) }
        }

        /// Closes the host's ongoing spans that began no later than `up`.
        mutating func close(_ position: Int, at up: Date) {
            for index in spans[position].indices where spans[position][index].up == nil && spans[position][index].down <= up {
                spans[position][index].up = up
            }
        }
    }

    private let positions: [String: Int]
    private let history: Mutex<History>

    /// `domains` in configuration order. `started`: until the database says since when a host is watched, it is
    /// watched since this run started.
    package init(domains: [String], started: Date) {
        var positions: [String: Int] = [:]
        for (position, domain) in domains.enumerated() where positions[domain] == nil { positions[domain] = position }
        self.positions = positions
        history = Mutex(History(watchedSince: Array(repeating: started, count: domains.count),
                                spans: Array(repeating: [], count: domains.count)))
    }

    /// An incident this run opened (or, at start, one the state directory says is still ongoing).
    package func recordOpened(domain: String, downDetection: Date) {
        guard let position = positions[domain] else { return }
        history.withLock { history in
            let known = history.spans[position].contains { $0.down.isSameMillisecond(as: downDetection) }
            if !known { history.spans[position].append(Span(down: downDetection, up: nil, local: true)) }
        }
    }

    /// The host's ongoing incident ended at `upDetection`.
    package func recordClosed(domain: String, upDetection: Date) {
        guard let position = positions[domain] else { return }
        history.withLock { $0.close(position, at: upDetection) }
    }

    /// A time nobody watched (the daemon was stopped or had crashed).
    package func recordGap(_ gap: MonitorGap) {
        history.withLock { $0.addGap(gap) }
    }

    /// Takes in the database's history: its incidents replace what was loaded before, and this run's own
    /// incidents that the database does not have yet (still in the journal) stay.
    package func load(_ stored: StoredHistory, ids: [String: Int64]) {
        var byCheck: [Int64: [Incident]] = [:]
        for incident in stored.incidents { byCheck[incident.checkID, default: []].append(incident) }
        history.withLock { history in
            for (domain, position) in positions {
                guard let id = ids[domain] else { continue }
                if let since = stored.watchedSince[id] { history.watchedSince[position] = since }
                var merged = (byCheck[id] ?? []).map { Span(down: $0.downDetection, up: $0.upDetection, local: false) }
                for own in history.spans[position] where own.local {
                    if let index = merged.firstIndex(where: { $0.down.isSameMillisecond(as: own.down) }) {
                        if merged[index].up == nil { merged[index].up = own.up }
                        merged[index].local = true
                    } else {
                        merged.append(own)
                    }
                }
                history.spans[position] = merged
                // A close this run saw before the database had the incident's row.
                for own in merged where own.local { if let up = own.up { history.close(position, at: up) } }
            }
            for gap in stored.gaps { history.addGap(gap) }
        }
    }

    /// The figures of every host (in configuration order) as of `now`; `downSince` is each host's ongoing
    /// incident's start, nil while up.
    package func figures(downSince: [Date?], now: Date) -> [HostFigures] {
        history.withLock { history in
            Self.trimIfDue(&history, now)
            let gapSpans = TimeSpans(history.gaps.map { (start: $0.from.unixMilliseconds, end: $0.until.unixMilliseconds) })
            return downSince.indices.map { figures(history, position: $0, downSince: downSince[$0], gaps: gapSpans, now: now) }
        }
    }

    /// One host's figures as of `now`.
    package func figures(position: Int, downSince: Date?, now: Date) -> HostFigures {
        history.withLock { history in
            let gapSpans = TimeSpans(history.gaps.map { (start: $0.from.unixMilliseconds, end: $0.until.unixMilliseconds) })
            return figures(history, position: position, downSince: downSince, gaps: gapSpans, now: now)
        }
    }

    private func figures(_ history: History, position: Int, downSince: Date?, gaps: TimeSpans, now: Date) -> HostFigures {
        var figures = HostFigures()
        if let downSince { figures.downForSeconds = max(0, now.timeIntervalSince(downSince)) }
        guard position < history.spans.count else { return figures }
        let incidents = history.spans[position].map { (down: $0.down, up: $0.up) }
        func percent(_ window: Double) -> Double? {
            UptimeCalculation.percent(window: window, now: now, watchedSince: history.watchedSince[position],
                                      incidents: incidents, gaps: gaps)
        }
        figures.uptime24h = percent(UptimeCalculation.day)
        figures.uptime7d = percent(7 * UptimeCalculation.day)
        figures.uptime30d = percent(UptimeCalculation.longestWindow)
        return figures
    }

    /// Forgets what ended before the longest window, once an hour.
    private static func trimIfDue(_ history: inout History, _ now: Date) {
        let instant = MonotonicInstant.now()
        if let last = history.lastTrim, instant.seconds(since: last) < 3600 { return }
        history.lastTrim = instant
        let horizon = now.addingTimeInterval(-UptimeCalculation.longestWindow)
        for position in history.spans.indices {
            history.spans[position].removeAll { span in span.up.map { $0 < horizon } ?? false }
        }
        history.gaps.removeAll { $0.until < horizon }
    }
}
