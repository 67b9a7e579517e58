// The store's queue: order kept, retries through an outage, flush, and coalescing that keeps the newest state.
import Foundation
import Synchronization
import Testing
@testable import Storage
import Encoding
import Logging
import Platform
import TestSupport

/// An in-memory store that is "unavailable" for its first `failures` writes.
final class FlakyStore: ForwardingStore, Sendable {
    private struct Counts {
        var failures: Int
        var attempts = 0
        /// The size of every successful updateChecks call, in order.
        var statements: [Int] = []
    }

    let inner = InMemoryStore()
    private let counts: Mutex<Counts>

    init(failures: Int) { counts = Mutex(Counts(failures: failures)) }

    var attempts: Int { counts.withLock { $0.attempts } }
    var statements: [Int] { counts.withLock { $0.statements } }

    private func maybeFail() throws {
        try counts.withLock { counts in
            counts.attempts += 1
            if counts.failures > 0 {
                counts.failures -= 1
                throw StoreError.unavailable("simulated outage")
            }
        }
    }

    func updateChecks(_ updates: [CheckUpdate]) throws {
        try maybeFail()
        counts.withLock { $0.statements.append(updates.count) }
        try inner.updateChecks(updates)
    }
    func openIncident(checkID: Int64, description: String, downDetection: Date, parentIncidentID: Int64?,
                      maintenance: Bool) throws -> Incident {
        try maybeFail()
        return try inner.openIncident(checkID: checkID, description: description, downDetection: downDetection)
    }
    func closeIncident(checkID: Int64, upDetection: Date) throws -> Incident? {
        try maybeFail()
        return try inner.closeIncident(checkID: checkID, upDetection: upDetection)
    }
    func describeOngoingIncident(checkID: Int64, description: String) throws {
        try maybeFail()
        try inner.describeOngoingIncident(checkID: checkID, description: description)
    }
    func recordGap(from: Date, until: Date, reason: String) throws {
        try maybeFail()
        try inner.recordGap(from: from, until: until, reason: reason)
    }
    func history(since: Date) throws -> StoredHistory {
        try maybeFail()
        return try inner.history(since: since)
    }
}

/// Opens the journal in `directory`, waiting up to a second for the previous run's writer to let go of its lock
/// (it does once its queues are done with it).
func reopenJournal(_ directory: String) -> Journal? {
    for _ in 0..<100 {
        if let journal = try? Journal(directory: directory) { return journal }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return nil
}

@Suite struct StoreWriterTests {
    let t0 = Date(timeIntervalSince1970: 1_795_986_185)

    @Test func changesSurviveAnOutageInOrder() throws {
        let store = FlakyStore(failures: 4)
        let id = try #require(try store.registerChecks(domains: ["nas.lan"]).first).id
        let writer = try StoreWriter(store: store, domains: ["nas.lan"], logger: Logger(minimumLevel: .error))
        writer.start()
        writer.submit(.opened(domain: "nas.lan", description: "down 1", downDetection: t0))
        writer.submit(.closed(domain: "nas.lan", upDetection: t0.addingTimeInterval(10)))
        writer.submit(.opened(domain: "nas.lan", description: "down 2", downDetection: t0.addingTimeInterval(20)))
        #expect(writer.flush(timeout: 10))
        #expect(store.attempts >= 7, "four refused attempts, then three writes")
        let incidents = try store.incidents(checkID: id)
        #expect(incidents.map(\.description) == ["down 2", "down 1"])
        #expect(incidents[1].upDetection == t0.addingTimeInterval(10))
        #expect(incidents[0].upDetection == nil)
        #expect(writer.pendingCount == 0)
    }

    @Test func anAlreadyOpenIncidentIsNotAnError() throws {
        let store = InMemoryStore()
        let id = try #require(try store.registerChecks(domains: ["nas.lan"]).first).id
        let writer = try StoreWriter(store: store, domains: ["nas.lan"], logger: Logger(minimumLevel: .error))
        writer.start()
        writer.submit(.opened(domain: "nas.lan", description: "down", downDetection: t0))
        writer.submit(.opened(domain: "nas.lan", description: "down again", downDetection: t0))
        writer.submit(.closed(domain: "nas.lan", upDetection: t0.addingTimeInterval(5)))
        #expect(writer.flush(timeout: 5))
        #expect(try store.incidents(checkID: id).map(\.upDetection) == [t0.addingTimeInterval(5)])
    }

    @Test func coalescedUpdatesKeepTheNewestState() throws {
        let store = FlakyStore(failures: 2)
        _ = try store.registerChecks(domains: ["nas.lan"])
        let writer = try StoreWriter(store: store, domains: ["nas.lan"], logger: Logger(minimumLevel: .error))
        writer.start()
        for second in 0..<50 {
            writer.submit(.performed(domain: "nas.lan", at: t0.addingTimeInterval(Double(second)), status: second % 2 == 0))
        }
        #expect(writer.flush(timeout: 10))
        let check = try #require(try store.registerChecks(domains: ["nas.lan"]).first)
        #expect(check.lastPerformed == t0.addingTimeInterval(49))
        #expect(check.status == false)
    }

    @Test func pingsAreWrittenInBatchesWithTheNewestPingOfEachCheck() throws {
        let store = FlakyStore(failures: 0)
        let checks = try store.registerChecks(domains: (1...100).map { "h\($0).lan" })
        let writer = try StoreWriter(store: store, domains: checks.map(\.domain), logger: Logger(minimumLevel: .error), batchInterval: 0.3)
        writer.start()
        for second in 0..<10 {
            for check in checks {
                writer.submit(.performed(domain: check.domain, at: t0.addingTimeInterval(Double(second)), status: true))
            }
        }
        Thread.sleep(forTimeInterval: 0.6)
        #expect(store.statements == [100], "1,000 pings of 100 checks: one statement")
        let stored = try store.registerChecks(domains: (1...100).map { "h\($0).lan" })
        #expect(stored.allSatisfy { $0.lastPerformed == t0.addingTimeInterval(9) })
    }

    @Test func aFlipIsWrittenAtOnceAndNoOlderPingOverwritesIt() throws {
        let store = FlakyStore(failures: 0)
        let id = try #require(try store.registerChecks(domains: ["nas.lan"]).first).id
        let writer = try StoreWriter(store: store, domains: ["nas.lan"], logger: Logger(minimumLevel: .error), batchInterval: 3600)
        writer.start()
        writer.submit(.performed(domain: "nas.lan", at: t0, status: true))
        writer.submit(.opened(domain: "nas.lan", description: "down", downDetection: t0.addingTimeInterval(1)))
        writer.submit(.flipped(domain: "nas.lan", at: t0.addingTimeInterval(3), status: false))
        Thread.sleep(forTimeInterval: 0.3)
        var check = try #require(try store.registerChecks(domains: ["nas.lan"]).first)
        #expect(check.status == false && check.lastPerformed == t0.addingTimeInterval(3), "written without waiting for a batch")
        #expect(try store.ongoingIncident(checkID: id) != nil)
        #expect(writer.flush(timeout: 2))
        check = try #require(try store.registerChecks(domains: ["nas.lan"]).first)
        #expect(check.status == false && check.lastPerformed == t0.addingTimeInterval(3))
        #expect(store.statements == [1], "the older ping was dropped, not written after the flip")
    }

    @Test func batchesWaitingOutAnOutageMergeAndKeepTheNewestPing() throws {
        let store = FlakyStore(failures: 4)
        _ = try store.registerChecks(domains: ["a.lan", "b.lan"])
        let writer = try StoreWriter(store: store, domains: ["a.lan", "b.lan"], logger: Logger(minimumLevel: .error), batchInterval: 0.05)
        writer.start()
        writer.submit(.flipped(domain: "a.lan", at: t0, status: false))
        for second in 1...20 {
            writer.submit(.performed(domain: "a.lan", at: t0.addingTimeInterval(Double(second)), status: false))
            if second <= 10 { writer.submit(.performed(domain: "b.lan", at: t0.addingTimeInterval(Double(second)), status: true)) }
            Thread.sleep(forTimeInterval: 0.06)
        }
        #expect(writer.flush(timeout: 15))
        let stored = try store.registerChecks(domains: ["a.lan", "b.lan"])
        #expect(stored[0].lastPerformed == t0.addingTimeInterval(20) && stored[0].status == false)
        #expect(stored[1].lastPerformed == t0.addingTimeInterval(10) && stored[1].status == true)
    }

    /// A crash after the database took the changes but before the journal was emptied: the next run replays
    /// the journal into a database that has them already, and nothing is doubled; an old close does not end
    /// the newer incident.
    @Test func replayingAJournalTheDatabaseAlreadyHasChangesNothing() throws {
        let directory = NSTemporaryDirectory() + "status-writer-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let at = { (seconds: Double) in Date(timeIntervalSince1970: (1_795_986_185 + seconds).rounded()) }
        let changes: [StateChange] = [
            .opened(domain: "nas.lan", description: "first", downDetection: at(0)),
            .closed(domain: "nas.lan", upDetection: at(10)),
            .opened(domain: "nas.lan", description: "second", downDetection: at(20)),
        ]
        do {
            let journal = try Journal(directory: directory)
            for (index, change) in changes.enumerated() { try journal.append(sequence: UInt64(index + 1), change) }
        }
        let store = InMemoryStore()
        let id = try #require(try store.registerChecks(domains: ["nas.lan"]).first).id
        _ = try store.openIncident(checkID: id, description: "first", downDetection: at(0))
        _ = try store.closeIncident(checkID: id, upDetection: at(10))
        _ = try store.openIncident(checkID: id, description: "second", downDetection: at(20))

        for run in 1...2 {
            let journal = try #require(reopenJournal(directory))
            #expect(journal.recovered.changes.count == (run == 1 ? 3 : 0))
            let writer = try StoreWriter(store: store, journal: journal, domains: ["nas.lan"], logger: Logger(minimumLevel: .error))
            writer.start()
            #expect(writer.flush(timeout: 5))
            let incidents = try store.incidents(checkID: id)
            #expect(incidents.map(\.description) == ["second", "first"], "run \(run)")
            #expect(incidents.first?.upDetection == nil, "the replayed close of the first did not end the second")
            #expect(writer.journalWaiting == 0)
            withExtendedLifetime(writer) {}
        }
    }

    @Test func readsFailFastDuringAnOutage() throws {
        let store = FlakyStore(failures: 1000)
        let writer = try StoreWriter(store: store, domains: ["nas.lan"], logger: Logger(minimumLevel: .error))
        writer.start()
        writer.submit(.flipped(domain: "nas.lan", at: t0, status: false))
        Thread.sleep(forTimeInterval: 0.1)
        let outcome = Delivery<Result<[Incident], Error>>()
        writer.incidents(domain: "nas.lan") { outcome.deliver($0) }
        let result = try #require(outcome.wait())
        #expect(throws: StoreError.self) { try result.get() }
    }
}
