// The recent history of every host, kept in memory for the uptime figures: since when each host is watched,
// its incidents of the last 30 days, and the gaps nobody watched. Loaded from the database once it is reached,
// and kept current by the monitor's incident events (so incidents of a run without the database count too).
// Hosts are known by their place, as on the status board; a reload adds places. A host's maintenance windows and
// the time a reload had it removed count like the gaps: neither for nor against its uptime.
import Encoding
import Foundation
import Platform
import Storage
import Synchronization

/// A host's maintenance windows within [from, until] (the host file's calendar, handed in by the daemon).
package typealias MaintenanceOccurrences = @Sendable (_ from: Date, _ until: Date) -> [DateInterval]

/// What the ledger is told about one host a reload watches.
package struct LedgerHost: Sendable {
    package var position: Int
    package var domain: String
    package var maintenance: MaintenanceOccurrences?

    package init(position: Int, domain: String, maintenance: MaintenanceOccurrences? = nil) {
        self.position = position
        self.domain = domain
        self.maintenance = maintenance
    }
}

package final class UptimeLedger: Sendable {
    private struct Span {
        var down: Date
        var up: Date?
        /// Seen by this run (not only loaded from the database).
        var local: Bool
    }

    /// The time a host's figures leave out besides the gaps: its maintenance windows (computed ahead for an
    /// hour at a time) and the time a reload had it removed.
    private struct Unwatched {
        var maintenance: MaintenanceOccurrences?
        var windows: (until: Date, spans: [(start: Int64, end: Int64)])?
        var removed: [(from: Date, until: Date?)] = []

        var isEmpty: Bool { maintenance == nil && removed.isEmpty }

        /// The spans to leave out of a window ending at `now`, within [now − longest window, now].
        mutating func spans(now: Date) -> [(start: Int64, end: Int64)] {
            var spans: [(start: Int64, end: Int64)] = removed.map {
                (start: $0.from.unixMilliseconds, end: ($0.until ?? now).unixMilliseconds)
            }
            if let maintenance {
                if windows.map({ $0.until <= now }) ?? true {
                    let until = now.addingTimeInterval(3600)
                    let occurrences = maintenance(now.addingTimeInterval(-UptimeCalculation.longestWindow), until)
                    windows = (until, occurrences.map { (start: $0.start.unixMilliseconds, end: $0.end.unixMilliseconds) })
                }
                spans += windows?.spans ?? []
            }
            return spans
        }
    }

    private struct History {
        var positions: [String: Int]
        var watchedSince: [Date]
        var spans: [[Span]]
        var unwatched: [Unwatched]
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

    private let history: Mutex<History>

    /// `domains` in configuration order, with their maintenance windows (by place; none when shorter).
    /// `started`: until the database says since when a host is watched, it is watched since this run started.
    package init(domains: [String], maintenance: [MaintenanceOccurrences?] = [], started: Date) {
        var positions: [String: Int] = [:]
        for (position, domain) in domains.enumerated() where positions[domain] == nil { positions[domain] = position }
        let unwatched = domains.indices.map { Unwatched(maintenance: $0 < maintenance.count ? maintenance[$0] : nil) }
        history = Mutex(History(positions: positions, watchedSince: Array(repeating: started, count: domains.count),
                                spans: Array(repeating: [], count: domains.count), unwatched: unwatched))
    }

    /// A reload was applied at `now`: `hosts` are watched (new places are added, each with its windows as they
    /// are now), `retired` places are not, from now until they come back.
    package func watch(_ hosts: [LedgerHost], retired: [Int], at now: Date) {
        history.withLock { history in
            for host in hosts {
                if host.position >= history.spans.count {
                    history.positions[host.domain] = host.position
                    history.watchedSince.append(now)
                    history.spans.append([])
                    history.unwatched.append(Unwatched())
                }
                var unwatched = history.unwatched[host.position]
                if let last = unwatched.removed.last, last.until == nil { unwatched.removed[unwatched.removed.count - 1].until = now }
                unwatched.maintenance = host.maintenance
                unwatched.windows = nil
                history.unwatched[host.position] = unwatched
            }
            for position in retired where history.unwatched.indices.contains(position) {
                history.unwatched[position].removed.append((from: now, until: nil))
            }
        }
    }

    /// An incident this run opened (or, at start, one the state directory says is still ongoing).
    package func recordOpened(domain: String, downDetection: Date) {
        history.withLock { history in
            guard let position = history.positions[domain] else { return }
            let known = history.spans[position].contains { $0.down.isSameMillisecond(as: downDetection) }
            if !known { history.spans[position].append(Span(down: downDetection, up: nil, local: true)) }
        }
    }

    /// The host's ongoing incident ended at `upDetection`.
    package func recordClosed(domain: String, upDetection: Date) {
        history.withLock { history in
            guard let position = history.positions[domain] else { return }
            history.close(position, at: upDetection)
        }
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
            for (domain, position) in history.positions {
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

    /// What one host's figures are computed from, taken under the lock (its arrays shared, not copied).
    private struct FigureInputs {
        var watchedSince: Date
        var spans: [Span]
        /// Its maintenance windows and removed time within the longest window; nil when it has none.
        var unwatched: [(start: Int64, end: Int64)]?
    }

    /// The figures of `hosts` (places, and each one's ongoing incident's start, nil while up) as of `now`. Only
    /// what they are computed from is read under the lock; the computing is done after it, so that a request for
    /// one host (on an event loop) never waits behind a view's thousands (on the nice-10 builder, which the
    /// scheduler may leave off the CPU for milliseconds while it holds the lock).
    package func figures(_ hosts: [(position: Int, downSince: Date?)], now: Date) -> [HostFigures] {
        let (gaps, inputs) = history.withLock { history in
            Self.trimIfDue(&history, now)
            let gaps = history.gaps.map { (start: $0.from.unixMilliseconds, end: $0.until.unixMilliseconds) }
            let inputs = hosts.map { host -> FigureInputs? in
                let position = host.position
                guard position < history.spans.count else { return nil }
                let unwatched = history.unwatched[position].isEmpty ? nil : history.unwatched[position].spans(now: now)
                return FigureInputs(watchedSince: history.watchedSince[position], spans: history.spans[position],
                                    unwatched: unwatched)
            }
            return (gaps, inputs)
        }
        let gapSpans = TimeSpans(gaps)
        return zip(hosts, inputs).map { host, inputs in
            Self.figures(inputs, downSince: host.downSince, gaps: gaps, gapSpans: gapSpans, now: now)
        }
    }

    /// One host's figures as of `now`.
    package func figures(position: Int, downSince: Date?, now: Date) -> HostFigures {
        figures([(position, downSince)], now: now)[0]
    }

    private static func figures(_ inputs: FigureInputs?, downSince: Date?, gaps: [(start: Int64, end: Int64)],
                                gapSpans: TimeSpans, now: Date) -> HostFigures {
        var figures = HostFigures()
        if let downSince { figures.downForSeconds = max(0, now.timeIntervalSince(downSince)) }
        guard let inputs else { return figures }
        let incidents = inputs.spans.map { (down: $0.down, up: $0.up) }
        // Most hosts leave out only the gaps, merged once for all of them.
        let left = inputs.unwatched.map { TimeSpans(gaps + $0) } ?? gapSpans
        func percent(_ window: Double) -> Double? {
            UptimeCalculation.percent(window: window, now: now, watchedSince: inputs.watchedSince,
                                      incidents: incidents, gaps: left)
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
            history.unwatched[position].removed.removeAll { span in span.until.map { $0 < horizon } ?? false }
        }
        history.gaps.removeAll { $0.until < horizon }
    }
}
