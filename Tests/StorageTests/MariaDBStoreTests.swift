// MariaDB-only behaviour, against the real server: idempotent migrations, ids across restarts, the schema's own
// refusal of a second ongoing incident, and an unreachable server reported as unavailable.
import Foundation
import Synchronization
import Testing
@testable import Storage
import Encoding
import Logging
import Platform
import TestSupport

@Suite struct MariaDBStoreTests {
    let logger = Logger(minimumLevel: .error)

    @Test func migratingAgainIsHarmlessAndKeepsData() throws {
        let database = try TestDatabase.create()
        defer { database.drop() }
        let store = MariaDBStore(configuration: database.configuration, logger: logger)
        try store.migrate()
        let check = try #require(try store.registerChecks(domains: ["nas.lan"]).first)
        _ = try store.openIncident(checkID: check.id, description: "down", downDetection: Date())
        try store.migrate()
        try MariaDBStore(configuration: database.configuration, logger: logger).migrate()
        #expect(try store.incidents(checkID: check.id).count == 1)
        let versions = try database.connection().query("SELECT COUNT(*), MAX(version) FROM schema_version",
                                                       columns: [.int, .int])
        #expect(versions.first == [.int(Int64(MariaDBSchema.migrations.count)), .int(Int64(MariaDBSchema.migrations.count))])
    }

    /// The server drops the store's connection (as when MariaDB restarts): the next call fails as "unavailable"
    /// (it used to close the half-made statement twice and crash), and the one after reconnects.
    @Test func aConnectionTheServerDroppedIsReportedUnavailableThenReopened() throws {
        let database = try TestDatabase.create()
        defer { database.drop() }
        let store = MariaDBStore(configuration: database.configuration, logger: logger)
        try store.migrate()
        let check = try #require(try store.registerChecks(domains: ["nas.lan"]).first)
        let admin = database.connection()
        defer { admin.close() }
        let others = try admin.query(
            "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()",
            [.text(database.configuration.database)], columns: [.int])
        #expect(!others.isEmpty)
        for row in others { if let id = row.first?.int { try admin.run("KILL CONNECTION \(id)") } }
        #expect(throws: StoreError.self) { _ = try store.ongoingIncident(checkID: check.id) }
        #expect(try store.ongoingIncident(checkID: check.id) == nil, "reconnected")
    }

    @Test func aChecksIDIsStableAcrossARestart() throws {
        let database = try TestDatabase.create()
        defer { database.drop() }
        let before = MariaDBStore(configuration: database.configuration, logger: logger)
        try before.migrate()
        let ids = try before.registerChecks(domains: ["nas.lan", "192.0.2.10"]).map(\.id)
        let after = MariaDBStore(configuration: database.configuration, logger: logger)
        try after.migrate()
        #expect(try after.registerChecks(domains: ["192.0.2.10", "new.lan", "nas.lan"]).map(\.id)
                == [ids[1], try #require(try after.registerChecks(domains: ["new.lan"]).first).id, ids[0]])
    }

    @Test func theDatabaseItselfRefusesASecondOngoingIncident() throws {
        let database = try TestDatabase.create()
        defer { database.drop() }
        let store = MariaDBStore(configuration: database.configuration, logger: logger)
        try store.migrate()
        let id = try #require(try store.registerChecks(domains: ["nas.lan"]).first).id
        let raw = database.connection()
        let insert = "INSERT INTO incidents (check_id, description, down_detection) VALUES (?, ?, NOW(3))"
        try raw.execute(insert, [.int(id), .text("first")])
        #expect(throws: DuplicateKeyError.self) { try raw.execute(insert, [.int(id), .text("second, bypassing the store")]) }
        try raw.execute("UPDATE incidents SET up_detection = NOW(3) WHERE check_id = ?", [.int(id)])
        try raw.execute(insert, [.int(id), .text("a new one once the first is closed")])
        #expect(try raw.query("SELECT COUNT(*) FROM incidents", columns: [.int]) == [[.int(2)]])
    }

    /// Two writers open the same incident at once (the journal replayed while the first write is still in
    /// flight): the second waits on the first's uncommitted row, then returns it instead of refusing it.
    @Test func anIncidentOpenedAtTheSameMomentByAnotherConnectionIsReturnedNotRefused() throws {
        let database = try TestDatabase.create()
        defer { database.drop() }
        let setup = MariaDBStore(configuration: database.configuration, logger: logger)
        try setup.migrate()
        let id = try #require(try setup.registerChecks(domains: ["nas.lan"]).first).id
        let down = Date(timeIntervalSince1970: 1_795_986_185.123)
        let other = database.connection()
        defer { other.close() }
        try other.run("START TRANSACTION")
        let theirs = try other.execute("INSERT INTO incidents (check_id, description, down_detection) VALUES (?, ?, ?)",
                                       [.int(id), .text("theirs"), .date(down)])
        let outcome = Mutex<Result<Incident, Error>?>(nil)
        let store = Handoff(MariaDBStore(configuration: database.configuration, logger: logger))
        Threads.start(name: "test-open") {
            guard let store = store.take() else { return }
            let result = Result { try store.openIncident(checkID: id, description: "ours", downDetection: down) }
            outcome.withLock { $0 = result }
        }
        Thread.sleep(forTimeInterval: 0.3)  // ours now waits for their row's lock
        try other.run("COMMIT")
        #expect(waitUntil(timeout: 10) { outcome.withLock { $0 != nil } })
        let incident = try #require(try outcome.withLock { $0 }?.get())
        #expect(incident.id == Int64(theirs.insertID) && incident.description == "theirs")
        #expect(try setup.incidents(checkID: id).count == 1)
    }

    @Test func anUnreachableServerIsUnavailableNotACrash() throws {
        let store = MariaDBStore(configuration: DatabaseConfiguration(unixSocket: "/nonexistent/mysqld.sock"),
                                 logger: logger)
        do {
            try store.migrate()
            Issue.record("migrate succeeded without a server")
        } catch StoreError.unavailable(let reason) {
            #expect(reason.contains("/nonexistent/mysqld.sock"))
        }
    }
}

extension TestDatabase {
    /// A raw connection to the test's database, for checks the Store protocol does not offer.
    func connection() -> MariaDBConnection { MariaDBConnection(configuration: configuration) }
}
