// The history store against the real server, by both of its write paths (one bulk execution of array-bound
// columns, and the multi-row INSERTs kept for servers without it): a step of more rows than one execution takes
// comes back exactly, and a row written again keeps the one that counts more pings.
import Foundation
import Testing
@testable import Storage
import History
import TestSupport

@Suite struct MariaDBHistoryStoreTests {
    /// `count` checks' rows of one step, each rollup different (its sent count and bytes depend on the check).
    func rows(checks: Range<Int64>, step: Int64, run: Int64, sentBase: UInt32) -> [HistoryRow] {
        checks.map { check in
            var rollup = PingRollup()
            for ping in 0..<Int(sentBase) + Int(check % 7) {
                if ping % 5 == 4 { rollup.loss() } else { rollup.reply(1 + Double(check % 50) + Double(ping) / 10) }
            }
            return HistoryRow(checkID: check, resolution: 60, stepStart: step, run: run, sent: rollup.sent,
                              rollup: rollup.encoded)
        }
    }

    @Test(arguments: [false, true])
    func aStepOfMoreRowsThanOneStatementTakesComesBackExactly(multiRow: Bool) throws {
        let database = try TestDatabase.create()
        defer { database.drop() }
        let store = MariaDBHistoryStore(configuration: database.configuration, forceMultiRow: multiRow)
        try store.migrate()
        let count = Int64(MariaDBHistoryStore.bulkSize + 1_234)
        let written = rows(checks: 1..<count + 1, step: 1_764_000_000, run: 7, sentBase: 10)
        try store.writeHistory(written)
        // Against MariaDB the bulk path is the one taken (the server says it can), unless forced off: a step of
        // 10,000 hosts is then 4 executions, not 5 INSERTs.
        #expect(store.statements(forRows: 10_000) == (multiRow ? 5 : 4))
        let read = try store.historyRows(checkIDs: Array(1...count), resolution: 60, from: 1_764_000_000,
                                         until: 1_764_000_060)
        #expect(read.count == written.count)
        #expect(read == written, "every row's key, sent and rollup bytes as written")
    }

    @Test(arguments: [false, true])
    func aRowWrittenAgainKeepsTheOneThatCountsMorePings(multiRow: Bool) throws {
        let database = try TestDatabase.create()
        defer { database.drop() }
        let store = MariaDBHistoryStore(configuration: database.configuration, forceMultiRow: multiRow)
        try store.migrate()
        let full = rows(checks: 1..<4, step: 1_764_000_000, run: 1, sentBase: 40)
        let partial = rows(checks: 1..<4, step: 1_764_000_000, run: 1, sentBase: 20)
        try store.writeHistory(full)
        try store.writeHistory(partial)       // an older version of the same piece: changes nothing
        let fuller = rows(checks: 3..<4, step: 1_764_000_000, run: 1, sentBase: 60)
        try store.writeHistory(fuller)        // a fuller one replaces it
        let read = try store.historyRows(checkIDs: [1, 2, 3], resolution: 60, from: 1_764_000_000, until: 1_764_000_060)
        #expect(read == Array(full.prefix(2)) + fuller)
    }
}
