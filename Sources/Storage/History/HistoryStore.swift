// What the history writer needs from the database: the checks' ids, the history rows (written in batches, read by
// range), their removal once merged and past their retention, and how far each coarser resolution was merged.
// Implementations: MariaDBHistoryStore (its own connection) and InMemoryHistoryStore (unit tests). Calls block;
// the history writer runs them on its own queue.
import Foundation

/// One history row: a check's pings over one step at one resolution, measured by one daemon run (0 for rows
/// merged from finer ones). `sent` is the rollup's, kept beside it so a row written again keeps the fuller one.
package struct HistoryRow: Equatable, Sendable {
    package var checkID: Int64
    package var resolution: Int64
    package var stepStart: Int64
    package var run: Int64
    package var sent: UInt32
    package var rollup: [UInt8]

    package init(checkID: Int64, resolution: Int64, stepStart: Int64, run: Int64, sent: UInt32, rollup: [UInt8]) {
        self.checkID = checkID
        self.resolution = resolution
        self.stepStart = stepStart
        self.run = run
        self.sent = sent
        self.rollup = rollup
    }
}

package protocol HistoryStore: AnyObject {
    /// The schema's migrations (the same as the store's; harmless to run again).
    func migrate() throws

    /// The ids of these domains' checks, registering those the database lacks.
    func checkIDs(domains: [String]) throws -> [String: Int64]

    /// Every check's id.
    func allCheckIDs() throws -> [Int64]

    /// Writes the rows in one transaction. A row whose key (check, resolution, step, run) exists replaces it
    /// only if it counts at least as many pings: a run's piece of a step only grows, so writing a row twice, or an
    /// older version after a newer, changes nothing.
    func writeHistory(_ rows: [HistoryRow]) throws

    /// How many statements the last writeHistory of `rows` rows took (for the figures).
    func statements(forRows rows: Int) -> Int

    /// The checks' rows at `resolution` with `from` ≤ step start < `until`.
    func historyRows(checkIDs: [Int64], resolution: Int64, from: Int64, until: Int64) throws -> [HistoryRow]

    /// Deletes the checks' rows at `resolution` that start before `before`; returns how many.
    @discardableResult
    func deleteHistory(checkIDs: [Int64], resolution: Int64, before: Int64) throws -> Int

    /// Up to when (exclusive) each coarser resolution was merged from the finer one, by resolution.
    func historyProgress() throws -> [Int64: Int64]

    func setHistoryProgress(resolution: Int64, mergedThrough: Int64) throws
}
