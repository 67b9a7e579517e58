// Reads for the history endpoints, on the history's database queue with its connection: the rows of the query's level up to
// where that level was merged, the finer levels' after it (HistoryLadder.segments), every run's piece of a step
// merged into its bucket. Fails at once while the database is unavailable.
import Foundation
import Encoding
import History

extension HistoryWriter {
    /// For each domain, in order, `query.count` rollups (empty where nothing was measured).
    package func buckets(domains: [String], query: HistoryQuery,
                         completion: @escaping @Sendable (Result<[[PingRollup]], Error>) -> Void) {
        session.async { [self] session in
            if let since = state.withLock({ $0.unavailableSince }) {
                return completion(.failure(StoreError.unavailable("since \(JSONText.time(since))")))
            }
            completion(Result { try read(domains: domains, query: query, session) })
        }
    }

    private func read(domains: [String], query: HistoryQuery, _ session: Session) throws -> [[PingRollup]] {
        let store = session.store
        if !session.migrated {
            try store.migrate()
            session.migrated = true
        }
        let missing = domains.filter { session.ids[$0] == nil }
        if !missing.isEmpty { session.ids.merge(try store.checkIDs(domains: missing)) { _, new in new } }
        var place: [Int64: Int] = [:]
        for (index, domain) in domains.enumerated() { if let id = session.ids[domain] { place[id] = index } }
        var result = Array(repeating: Array(repeating: PingRollup(), count: query.count), count: domains.count)
        let ladder = settings.ladder
        let progress = try store.historyProgress()
        let merged = ladder.levels.map { progress[$0.seconds] ?? .min }
        for segment in ladder.segments(level: query.level, from: query.first, until: query.until, mergedThrough: merged) {
            let rows = try store.historyRows(checkIDs: Array(place.keys).sorted(), resolution: ladder.levels[segment.level].seconds,
                                             from: segment.from, until: segment.until)
            for row in rows {
                guard let host = place[row.checkID], let bucket = query.bucket(of: row.stepStart),
                      let rollup = PingRollup(encoded: row.rollup) else { continue }
                result[host][bucket].merge(rollup)
            }
        }
        return result
    }
}
