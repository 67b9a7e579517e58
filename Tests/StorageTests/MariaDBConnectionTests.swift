// The connection against the real server: a transaction the server rolls back for a deadlock (what a Galera
// certification failure also returns) is run again and both writers' changes land once; statements kept prepared
// are prepared once on the server and at most `mostPrepared` of them are kept.
import Dispatch
import Foundation
import Testing
@testable import Storage
import TestSupport

@Suite(.serialized)
struct MariaDBConnectionTests {
    @Test func aDeadlockedTransactionIsRunAgainAndBothWritesLandOnce() throws {
        let database = try TestDatabase.create()
        defer { database.drop() }
        let setup = MariaDBConnection(configuration: database.configuration)
        try setup.run("CREATE TABLE counters (id INT PRIMARY KEY, hits INT NOT NULL) ENGINE=InnoDB")
        try setup.run("INSERT INTO counters VALUES (1, 0), (2, 0)")
        setup.close()

        // Each transaction takes one row, waits until the other has taken the other row, then wants it: InnoDB
        // kills one of them with error 1213. Only the first attempt waits, so the one run again goes through.
        let first = DispatchSemaphore(value: 0), second = DispatchSemaphore(value: 0)
        let configuration = database.configuration
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let connection = MariaDBConnection(configuration: configuration)
            defer { results.conflicts(connection.conflicts) }
            let (mine, theirs) = index == 0 ? (1, 2) : (2, 1)
            var attempts = 0
            do {
                try connection.transaction {
                    attempts += 1
                    try connection.execute("UPDATE counters SET hits = hits + 1 WHERE id = ?", [.int(Int64(mine))])
                    if attempts == 1 {
                        (index == 0 ? first : second).signal()
                        _ = (index == 0 ? second : first).wait(timeout: .now() + 5)
                    }
                    try connection.execute("UPDATE counters SET hits = hits + 10 WHERE id = ?", [.int(Int64(theirs))])
                }
            } catch {
                results.failed("\(error)")
            }
        }
        #expect(results.errors.isEmpty)
        #expect(results.conflictCount == 1, "exactly one of the two was rolled back and run again")
        let check = MariaDBConnection(configuration: database.configuration)
        let rows = try check.query("SELECT id, hits FROM counters ORDER BY id", columns: [.int, .int])
        #expect(rows.map { $0[1] } == [SQLValue.int(11), .int(11)], "each row got one +1 and one +10: nothing lost, nothing twice")
    }

    @Test func statementsKeptPreparedAreBoundedAndTheServerSeesOnePreparePerStatement() throws {
        let database = try TestDatabase.create()
        defer { database.drop() }
        let connection = MariaDBConnection(configuration: database.configuration)
        defer { connection.close() }
        try connection.run("CREATE TABLE numbers (n INT PRIMARY KEY) ENGINE=InnoDB")
        func prepares() throws -> Int64 {
            let rows = try connection.query("SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS "
                                            + "WHERE VARIABLE_NAME = 'COM_STMT_PREPARE'", columns: [.text])
            return Int64(rows.first?.first?.text ?? "") ?? -1
        }
        // The same statement five times: prepared once, as a quiet daemon's batch of the same hosts is.
        let before = try prepares()
        for n in 0..<5 { try connection.execute(reusing: "INSERT INTO numbers VALUES (?)", [.int(Int64(n))]) }
        #expect(try prepares() - before == 2, "one prepare for the five inserts, one for the status query itself")
        // Many distinct statements: only the most recent few stay prepared.
        for n in 0..<(MariaDBConnection.mostPrepared + 8) {
            _ = try connection.query(reusing: "SELECT n + \(n) FROM numbers WHERE n = ?", [.int(0)], columns: [.int])
        }
        #expect(connection.preparedCount == MariaDBConnection.mostPrepared)
        let rows = try connection.query(reusing: "SELECT COUNT(*) FROM numbers", columns: [.int])
        #expect(rows.first?.first == .int(5))
    }
}

/// What the two writers report, from their threads.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var failures: [String] = []
    private var conflictTotal = 0
    func failed(_ error: String) { lock.withLock { failures.append(error) } }
    func conflicts(_ count: Int) { lock.withLock { conflictTotal += count } }
    var errors: [String] { lock.withLock { failures } }
    var conflictCount: Int { lock.withLock { conflictTotal } }

}
