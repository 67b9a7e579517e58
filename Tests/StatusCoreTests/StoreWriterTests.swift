// The store's queue: order kept, retries through an outage, flush, and coalescing that keeps the newest state.
import Foundation
import Testing
@testable import StatusCore

/// An in-memory store that is "unavailable" for its first `failures` writes.
final class FlakyStore: Store, @unchecked Sendable {
    let inner = InMemoryStore()
    private let lock = NSLock()
    private var failures: Int
    private(set) var attempts = 0

    init(failures: Int) { self.failures = failures }

    private func maybeFail() throws {
        lock.lock()
        defer { lock.unlock() }
        attempts += 1
        if failures > 0 {
            failures -= 1
            throw StoreError.unavailable("simulated outage")
        }
    }

    func migrate() throws {}
    func registerChecks(domains: [String]) throws -> [Check] { try inner.registerChecks(domains: domains) }
    func updateCheck(id: Int64, lastPerformed: Date, status: Bool) throws {
        try maybeFail()
        try inner.updateCheck(id: id, lastPerformed: lastPerformed, status: status)
    }
    func openIncident(checkID: Int64, description: String, downDetection: Date) throws -> Incident {
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
    func ongoingIncident(checkID: Int64) throws -> Incident? { try inner.ongoingIncident(checkID: checkID) }
    func incidents(checkID: Int64) throws -> [Incident] { try inner.incidents(checkID: checkID) }
}

@Suite struct StoreWriterTests {
    let t0 = Date(timeIntervalSince1970: 1_795_986_185)

    @Test func changesSurviveAnOutageInOrder() throws {
        let store = FlakyStore(failures: 4)
        let id = try #require(try store.registerChecks(domains: ["nas.lan"]).first).id
        let writer = StoreWriter(store: store, logger: Logger(minimumLevel: .error))
        writer.submit(.opened(checkID: id, description: "down 1", downDetection: t0))
        writer.submit(.closed(checkID: id, upDetection: t0.addingTimeInterval(10)))
        writer.submit(.opened(checkID: id, description: "down 2", downDetection: t0.addingTimeInterval(20)))
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
        let writer = StoreWriter(store: store, logger: Logger(minimumLevel: .error))
        writer.submit(.opened(checkID: id, description: "down", downDetection: t0))
        writer.submit(.opened(checkID: id, description: "down again", downDetection: t0))
        writer.submit(.closed(checkID: id, upDetection: t0.addingTimeInterval(5)))
        #expect(writer.flush(timeout: 5))
        #expect(try store.incidents(checkID: id).map(\.upDetection) == [t0.addingTimeInterval(5)])
    }

    @Test func coalescedUpdatesKeepTheNewestState() throws {
        let store = FlakyStore(failures: 2)
        let id = try #require(try store.registerChecks(domains: ["nas.lan"]).first).id
        let writer = StoreWriter(store: store, logger: Logger(minimumLevel: .error))
        for second in 0..<50 {
            writer.submit(.performed(checkID: id, at: t0.addingTimeInterval(Double(second)), status: second % 2 == 0))
        }
        #expect(writer.flush(timeout: 10))
        let check = try #require(try store.registerChecks(domains: ["nas.lan"]).first)
        #expect(check.lastPerformed == t0.addingTimeInterval(49))
        #expect(check.status == false)
    }

    @Test func readsFailFastDuringAnOutage() throws {
        let store = FlakyStore(failures: 1000)
        let writer = StoreWriter(store: store, logger: Logger(minimumLevel: .error))
        writer.submit(.performed(checkID: 1, at: t0, status: true))
        Thread.sleep(forTimeInterval: 0.1)
        let answered = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var outcome: Result<[Incident], Error>?
        writer.read({ try $0.incidents(checkID: 1) }) { result in
            outcome = result
            answered.signal()
        }
        #expect(answered.wait(timeout: .now() + 2) == .success)
        #expect(throws: StoreError.self) { try outcome?.get() }
    }
}
