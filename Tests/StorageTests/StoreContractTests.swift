// One behaviour suite run over both stores, the in-memory one and MariaDB, so they cannot drift apart.
import Foundation
import Testing
@testable import Storage
import Encoding
import Logging
import Platform
import TestSupport

enum StoreKind: String, CaseIterable, Sendable {
    case memory, mariadb
}

/// Runs `body` with a migrated store of `kind`, dropping its database afterwards.
func withStore(_ kind: StoreKind, _ body: (Store) throws -> Void) throws {
    switch kind {
    case .memory:
        try body(InMemoryStore())
    case .mariadb:
        let database = try TestDatabase.create()
        defer { database.drop() }
        let store = MariaDBStore(configuration: database.configuration, logger: Logger(minimumLevel: .error))
        try store.migrate()
        try body(store)
    }
}

@Suite struct StoreContractTests {
    let t0 = Date(timeIntervalSince1970: 1_795_986_185.123)

    @Test(arguments: StoreKind.allCases)
    func registeringReturnsChecksInOrderWithStableIDs(kind: StoreKind) throws {
        try withStore(kind) { store in
            let first = try store.registerChecks(domains: ["b.lan", "a.lan", "::1"])
            #expect(first.map(\.domain) == ["b.lan", "a.lan", "::1"])
            #expect(Set(first.map(\.id)).count == 3)
            #expect(first.allSatisfy { $0.lastPerformed == nil && $0.status })
            let again = try store.registerChecks(domains: ["::1", "c.lan", "b.lan"])
            #expect(again[0].id == first[2].id && again[2].id == first[0].id)
            #expect(!first.map(\.id).contains(again[1].id))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func checkUpdatesPersist(kind: StoreKind) throws {
        try withStore(kind) { store in
            let check = try #require(try store.registerChecks(domains: ["nas.lan"]).first)
            try store.updateChecks([CheckUpdate(id: check.id, lastPerformed: t0, status: false)])
            let stored = try #require(try store.registerChecks(domains: ["nas.lan"]).first)
            #expect(stored.lastPerformed == t0)
            #expect(stored.status == false)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func batchedCheckUpdatesPersistEachChecksOwnTimeToTheMillisecond(kind: StoreKind) throws {
        try withStore(kind) { store in
            let domains = (0..<(MariaDBStore.updateBatchSize + 7)).map { "h\($0).lan" }
            let checks = try store.registerChecks(domains: domains)
            try store.updateChecks(checks.enumerated().map { index, check in
                CheckUpdate(id: check.id, lastPerformed: t0.addingTimeInterval(Double(index) * 0.001), status: index % 3 != 0)
            })
            let stored = try store.registerChecks(domains: domains)
            func milliseconds(_ date: Date?) -> Int64? { date?.unixMilliseconds }
            let base = t0.unixMilliseconds
            let wrong = stored.enumerated().filter { index, check in
                milliseconds(check.lastPerformed) != base + Int64(index) || check.status != (index % 3 != 0)
            }
            let first = wrong.first.map { "\($0.offset): \($0.element)" } ?? ""
            #expect(wrong.count == 0, "first wrong check: \(first)")
        }
    }

    /// One transaction per method: a batch of more checks than one statement takes, whose last time the
    /// database cannot hold, changes no check at all (not the first statement's five thousand either).
    @Test(arguments: StoreKind.allCases)
    func aCallThatCannotBeWrittenWholeWritesNothing(kind: StoreKind) throws {
        try withStore(kind) { store in
            let domains = (0..<(MariaDBStore.updateBatchSize + 7)).map { "h\($0).lan" }
            let checks = try store.registerChecks(domains: domains)
            let year10000 = Date(timeIntervalSince1970: 253_402_300_800)
            var updates = checks.map { CheckUpdate(id: $0.id, lastPerformed: t0, status: false) }
            updates[updates.count - 1].lastPerformed = year10000
            #expect(throws: StoreError.self) { try store.updateChecks(updates) }
            let stored = try store.registerChecks(domains: domains)
            #expect(stored.filter { $0.lastPerformed != nil || !$0.status }.count == 0, "nothing of the call was written")
            #expect(throws: StoreError.self) {
                _ = try store.openIncident(checkID: checks[0].id, description: "x", downDetection: year10000)
            }
            #expect(try store.ongoingIncident(checkID: checks[0].id) == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func incidentsOpenCloseAndListNewestFirstWithMillisecondTimes(kind: StoreKind) throws {
        try withStore(kind) { store in
            let id = try #require(try store.registerChecks(domains: ["nas.lan"]).first).id
            let first = try store.openIncident(checkID: id, description: "no reply to 3 pings (timeout 1s)",
                                               downDetection: t0)
            #expect(try store.ongoingIncident(checkID: id) == first)
            let closed = try store.closeIncident(checkID: id, upDetection: t0.addingTimeInterval(61.5))
            #expect(closed?.id == first.id && closed?.upDetection == t0.addingTimeInterval(61.5))
            #expect(try store.ongoingIncident(checkID: id) == nil)
            #expect(try store.closeIncident(checkID: id, upDetection: t0) == nil, "nothing left to close")
            let second = try store.openIncident(checkID: id, description: "host unreachable, reported by 192.0.2.1",
                                                downDetection: t0.addingTimeInterval(3600))
            let listed = try store.incidents(checkID: id)
            #expect(listed.map(\.id) == [second.id, first.id])
            #expect(listed[1].downDetection == t0)
            #expect(listed[1].upDetection == t0.addingTimeInterval(61.5))
            #expect(listed[0].upDetection == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aSecondOngoingIncidentIsRefused(kind: StoreKind) throws {
        try withStore(kind) { store in
            let id = try #require(try store.registerChecks(domains: ["nas.lan"]).first).id
            _ = try store.openIncident(checkID: id, description: "first", downDetection: t0)
            #expect(throws: StoreError.ongoingIncidentExists(checkID: id)) {
                try store.openIncident(checkID: id, description: "second", downDetection: t0.addingTimeInterval(1))
            }
            #expect(try store.incidents(checkID: id).count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func onlyTheOngoingIncidentGetsAClearerDescription(kind: StoreKind) throws {
        try withStore(kind) { store in
            let id = try #require(try store.registerChecks(domains: ["nas.lan"]).first).id
            _ = try store.openIncident(checkID: id, description: "no reply to 3 pings (timeout 1s)", downDetection: t0)
            _ = try store.closeIncident(checkID: id, upDetection: t0.addingTimeInterval(5))
            _ = try store.openIncident(checkID: id, description: "no reply to 3 pings (timeout 1s)",
                                       downDetection: t0.addingTimeInterval(10))
            try store.describeOngoingIncident(checkID: id, description: "host unreachable, reported by 192.0.2.1")
            #expect(try store.incidents(checkID: id).map(\.description)
                    == ["host unreachable, reported by 192.0.2.1", "no reply to 3 pings (timeout 1s)"])
            _ = try store.closeIncident(checkID: id, upDetection: t0.addingTimeInterval(20))
            try store.describeOngoingIncident(checkID: id, description: "nothing is ongoing")
            #expect(try store.incidents(checkID: id).allSatisfy { $0.description != "nothing is ongoing" })
        }
    }

    @Test(arguments: StoreKind.allCases)
    func hostileTextIsStoredVerbatimAsData(kind: StoreKind) throws {
        let domains = ["x'; DROP TABLE checks; --", "100%", "a\"b\\c", "a/b", "ünï.例え", "' OR '1'='1"]
        try withStore(kind) { store in
            let checks = try store.registerChecks(domains: domains)
            #expect(checks.map(\.domain) == domains)
            let incident = try store.openIncident(checkID: checks[0].id, description: "it's \"down\" 100% ✗",
                                                  downDetection: t0)
            #expect(try store.incidents(checkID: checks[0].id).first?.description == incident.description)
            #expect(try store.registerChecks(domains: domains).map(\.id) == checks.map(\.id), "tables intact")
        }
    }

    /// What makes a journal replay harmless: opening an incident again by its down_detection returns the stored
    /// one (even when closed since), and a close never ends an incident that began after it.
    @Test(arguments: StoreKind.allCases)
    func replayedOpensAndClosesAreHarmless(kind: StoreKind) throws {
        try withStore(kind) { store in
            let id = try #require(try store.registerChecks(domains: ["nas.lan"]).first).id
            let first = try store.openIncident(checkID: id, description: "first", downDetection: t0)
            #expect(try store.openIncident(checkID: id, description: "again", downDetection: t0).id == first.id)
            _ = try store.closeIncident(checkID: id, upDetection: t0.addingTimeInterval(10))
            #expect(try store.openIncident(checkID: id, description: "again", downDetection: t0).id == first.id)
            let second = try store.openIncident(checkID: id, description: "second", downDetection: t0.addingTimeInterval(20))
            #expect(try store.closeIncident(checkID: id, upDetection: t0.addingTimeInterval(10)) == nil)
            #expect(try store.ongoingIncident(checkID: id)?.id == second.id)
            #expect(try store.incidents(checkID: id).map(\.description) == ["second", "first"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func gapsAreRecordedOncePerStart(kind: StoreKind) throws {
        try withStore(kind) { store in
            try store.recordGap(from: t0, until: t0.addingTimeInterval(30), reason: "crashed")
            try store.recordGap(from: t0, until: t0.addingTimeInterval(30), reason: "crashed")
            try store.recordGap(from: t0.addingTimeInterval(100), until: t0.addingTimeInterval(160), reason: "stopped")
            #expect(try store.gaps() == [MonitorGap(from: t0, until: t0.addingTimeInterval(30), reason: "crashed"),
                                         MonitorGap(from: t0.addingTimeInterval(100), until: t0.addingTimeInterval(160),
                                                    reason: "stopped")])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func incidentsAreFilteredByTimeAndLimited(kind: StoreKind) throws {
        try withStore(kind) { store in
            let id = try #require(try store.registerChecks(domains: ["nas.lan"]).first).id
            // Three incidents: [t0, t0+10], [t0+100, t0+110], and one ongoing since t0+200.
            for start in [0.0, 100, 200] {
                _ = try store.openIncident(checkID: id, description: "at \(Int(start))", downDetection: t0.addingTimeInterval(start))
                if start < 200 { _ = try store.closeIncident(checkID: id, upDetection: t0.addingTimeInterval(start + 10)) }
            }
            func listed(_ filter: IncidentFilter) throws -> [String] {
                try store.incidents(checkID: id, filter: filter).map(\.description)
            }
            #expect(try listed(.all) == ["at 200", "at 100", "at 0"])
            #expect(try listed(IncidentFilter(limit: 2)) == ["at 200", "at 100"])
            #expect(try listed(IncidentFilter(since: t0.addingTimeInterval(105))) == ["at 200", "at 100"],
                    "an incident that ended after `since` overlaps it")
            #expect(try listed(IncidentFilter(since: t0.addingTimeInterval(111))) == ["at 200"], "ongoing overlaps any since")
            #expect(try listed(IncidentFilter(until: t0.addingTimeInterval(100))) == ["at 100", "at 0"],
                    "an incident that began at `until` overlaps it")
            #expect(try listed(IncidentFilter(since: t0.addingTimeInterval(5), until: t0.addingTimeInterval(150), limit: 1)) == ["at 100"])
            #expect(try listed(IncidentFilter(since: t0.addingTimeInterval(300), until: t0.addingTimeInterval(10))).isEmpty,
                    "since after until admits nothing (the ongoing one began after until)")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func historyHasRegistrationTimesRecentIncidentsAndGaps(kind: StoreKind) throws {
        try withStore(kind) { store in
            let before = Date().addingTimeInterval(-1)
            let id = try #require(try store.registerChecks(domains: ["nas.lan"]).first).id
            _ = try store.openIncident(checkID: id, description: "old", downDetection: t0.addingTimeInterval(-100))
            _ = try store.closeIncident(checkID: id, upDetection: t0.addingTimeInterval(-50))
            _ = try store.openIncident(checkID: id, description: "recent", downDetection: t0.addingTimeInterval(10))
            _ = try store.closeIncident(checkID: id, upDetection: t0.addingTimeInterval(20))
            _ = try store.openIncident(checkID: id, description: "ongoing", downDetection: t0.addingTimeInterval(30))
            try store.recordGap(from: t0.addingTimeInterval(-500), until: t0.addingTimeInterval(-400), reason: "stopped")
            try store.recordGap(from: t0.addingTimeInterval(40), until: t0.addingTimeInterval(45), reason: "crashed")
            let history = try store.history(since: t0)
            let registered = try #require(history.watchedSince[id])
            #expect(registered >= before && registered <= Date().addingTimeInterval(1))
            #expect(Set(history.incidents.map(\.description)) == ["recent", "ongoing"])
            #expect(history.gaps.map(\.reason) == ["crashed"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anUnreachableHostsIncidentNamesItsParentAndMaintenanceIsMarked(kind: StoreKind) throws {
        try withStore(kind) { store in
            let checks = try store.registerChecks(domains: ["router.lan", "nas.lan", "printer.lan"])
            let router = try store.openIncident(checkID: checks[0].id, description: "no reply", downDetection: t0)
            #expect(try store.incidentID(checkID: checks[0].id, downDetection: t0) == router.id)
            #expect(try store.incidentID(checkID: checks[1].id, downDetection: t0) == nil)
            _ = try store.openIncident(checkID: checks[1].id, description: "unreachable: behind router.lan, which is down",
                                       downDetection: t0.addingTimeInterval(1), parentIncidentID: router.id,
                                       maintenance: false)
            _ = try store.openIncident(checkID: checks[2].id, description: "no reply", downDetection: t0,
                                       parentIncidentID: nil, maintenance: true)
            var child = try #require(try store.ongoingIncident(checkID: checks[1].id))
            #expect(child.parentIncidentID == router.id && !child.maintenance)
            #expect(try store.ongoingIncident(checkID: checks[2].id)?.maintenance == true)
            #expect(try store.ongoingIncident(checkID: checks[0].id)?.parentIncidentID == nil)
            try store.classifyOngoingIncident(checkID: checks[1].id, description: "no reply to 3 pings",
                                              parentIncidentID: nil, maintenance: true)
            child = try #require(try store.incidents(checkID: checks[1].id).first)
            #expect(child.description == "no reply to 3 pings" && child.parentIncidentID == nil && child.maintenance)
        }
    }
}
