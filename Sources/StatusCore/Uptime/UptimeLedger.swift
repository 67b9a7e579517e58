// The recent history of every host, kept in memory for the uptime figures: since when each host is watched,
// its incidents of the last 30 days, and the gaps nobody watched. Loaded from the database once it is reached,
// and kept current by the monitor's incident events (so incidents of a run without the database count too).
import Foundation

public final class UptimeLedger: @unchecked Sendable {
    private struct Span {
        var down: Date
        var up: Date?
        /// Seen by this run (not only loaded from the database).
        var local: Bool
    }

    private let lock = NSLock()
    private let positions: [String: Int]
    private var watchedSince: [Date]
    private var spans: [[Span]]
    private var gaps: [MonitorGap] = []
    private var lastTrim = Date.distantPast

    /// `started`: until the database says since when a host is watched, it is watched since this run started.
    public init(domains: [String], started: Date) {
        var positions: [String: Int] = [:]
        for (position, domain) in domains.enumerated() where positions[domain] == nil { positions[domain] = position }
        self.positions = positions
        watchedSince = Array(repeating: started, count: domains.count)
        spans = Array(repeating: [], count: domains.count)
    }

    /// An incident this run opened or closed (or, at start, one the journal says is still ongoing).
    public func record(_ event: IncidentEvent) {
        guard let position = positions[event.domain] else { return }
        lock.lock()
        defer { lock.unlock() }
        switch event.kind {
        case .opened:
            let known = spans[position].contains { $0.down.unixMilliseconds == event.downDetection.unixMilliseconds }
            if !known { spans[position].append(Span(down: event.downDetection, up: nil, local: true)) }
        case .closed:
            guard let up = event.upDetection else { return }
            close(position, at: up)
        }
    }

    /// A time nobody watched (the daemon was stopped or had crashed).
    public func recordGap(_ gap: MonitorGap) {
        lock.lock()
        defer { lock.unlock() }
        if !gaps.contains(where: { $0.from.unixMilliseconds == gap.from.unixMilliseconds }) { gaps.append(gap) }
    }

    /// Takes in the database's history: its incidents replace what was loaded before, and this run's own
    /// incidents that the database does not have yet (still in the journal) stay.
    public func load(_ history: StoredHistory, ids: [String: Int64]) {
        var byCheck: [Int64: [Incident]] = [:]
        for incident in history.incidents { byCheck[incident.checkID, default: []].append(incident) }
        lock.lock()
        defer { lock.unlock() }
        for (domain, position) in positions {
            guard let id = ids[domain] else { continue }
            if let since = history.watchedSince[id] { watchedSince[position] = since }
            var merged = (byCheck[id] ?? []).map { Span(down: $0.downDetection, up: $0.upDetection, local: false) }
            for own in spans[position] where own.local {
                if let index = merged.firstIndex(where: { $0.down.unixMilliseconds == own.down.unixMilliseconds }) {
                    if merged[index].up == nil { merged[index].up = own.up }
                    merged[index].local = true
                } else {
                    merged.append(own)
                }
            }
            spans[position] = merged
            // A close this run saw before the database had the incident's row.
            for own in merged where own.local { if let up = own.up { close(position, at: up) } }
        }
        for gap in history.gaps where !gaps.contains(where: { $0.from.unixMilliseconds == gap.from.unixMilliseconds }) {
            gaps.append(gap)
        }
    }

    /// The figures of every host in `hosts` (configuration order) as of `now`.
    public func figures(for hosts: [HostStatus], now: Date) -> [HostFigures] {
        lock.lock()
        defer { lock.unlock() }
        trimIfDue(now)
        let gapSpans = TimeSpans(gaps.map { (start: $0.from.unixMilliseconds, end: $0.until.unixMilliseconds) })
        return hosts.map { host in
            var figures = HostFigures()
            if let since = host.downSince { figures.downForSeconds = max(0, now.timeIntervalSince(since)) }
            guard let position = positions[host.check.domain] else { return figures }
            let incidents = spans[position].map { (down: $0.down, up: $0.up) }
            func percent(_ window: Double) -> Double? {
                UptimeCalculation.percent(window: window, now: now, watchedSince: watchedSince[position],
                                          incidents: incidents, gaps: gapSpans)
            }
            figures.uptime24h = percent(UptimeCalculation.day)
            figures.uptime7d = percent(7 * UptimeCalculation.day)
            figures.uptime30d = percent(UptimeCalculation.longestWindow)
            return figures
        }
    }

    /// Closes the host's ongoing spans that began no later than `up`.
    private func close(_ position: Int, at up: Date) {
        for index in spans[position].indices where spans[position][index].up == nil && spans[position][index].down <= up {
            spans[position][index].up = up
        }
    }

    /// Forgets what ended before the longest window, once an hour.
    private func trimIfDue(_ now: Date) {
        guard now.timeIntervalSince(lastTrim) > 3600 else { return }
        lastTrim = now
        let horizon = now.addingTimeInterval(-UptimeCalculation.longestWindow)
        for position in spans.indices {
            spans[position].removeAll { span in span.up.map { $0 < horizon } ?? false }
        }
        gaps.removeAll { $0.until < horizon }
    }
}
