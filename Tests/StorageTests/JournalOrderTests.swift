// Journal before database: a change reaches the journal file on disk before the store writes it, however slow
// the disk is, so a daemon killed between the two finds it in the journal and replays it once.
import Foundation
import Synchronization
import Testing
@testable import Storage
import Encoding
import Logging
import Platform
import TestSupport

/// A store that, each time an incident is opened, looks at the journal file on disk, and copies the whole state
/// directory as a daemon killed at that moment would leave it.
final class JournalWatchingStore: ForwardingStore, Sendable {
    let inner = InMemoryStore()
    let directory: String
    let snapshot: String
    private let seen = Mutex<[Bool]>([])

    init(directory: String, snapshot: String) {
        self.directory = directory
        self.snapshot = snapshot
    }

    /// For each open, whether the journal on disk already had it.
    var journalHadIt: [Bool] { seen.withLock { $0 } }

    func openIncident(checkID: Int64, description: String, downDetection: Date, parentIncidentID: Int64?,
                      maintenance: Bool) throws -> Incident {
        let bytes = (try? Files.read(directory + "/journal")) ?? nil
        let journal = String(decoding: bytes ?? [], as: UTF8.self)
        seen.withLock { $0.append(journal.contains("\"kind\":\"opened\"")) }
        try? FileManager.default.removeItem(atPath: snapshot)
        try FileManager.default.copyItem(atPath: directory, toPath: snapshot)
        return try inner.openIncident(checkID: checkID, description: description, downDetection: downDetection)
    }
}

@Suite struct JournalOrderTests {
    @Test func aChangeIsInTheJournalOnDiskBeforeTheDatabaseHasIt() throws {
        let base = NSTemporaryDirectory() + "status-order-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: base) }
        let directory = base + "/state", snapshot = base + "/killed-here"
        let store = JournalWatchingStore(directory: directory, snapshot: snapshot)
        let id = try #require(try store.registerChecks(domains: ["nas.lan"]).first).id
        let down = Date(unixMilliseconds: 1_795_986_185_123)
        do {
            let writer = try StoreWriter(store: store, journal: try Journal(directory: directory), domains: ["nas.lan"],
                                     logger: Logger(minimumLevel: .error))
            writer.start()
            #expect(writer.flush(timeout: 5), "registered")
            // A slow disk: the journal's queue is busy for half a second when the change arrives.
            writer.journal?.files.queue.async { Thread.sleep(forTimeInterval: 0.5) }
            writer.submit(.opened(domain: "nas.lan", description: "down", downDetection: down))
            #expect(writer.flush(timeout: 5))
            #expect(store.journalHadIt == [true], "the database got the change only once the journal had it")
        }
        // The daemon killed at the moment of the database write: the next run finds the change and replays it;
        // the database has it already, so nothing is doubled.
        let journal = try Journal(directory: snapshot)
        #expect(journal.recovered.changes.map(\.change) == [.opened(domain: "nas.lan", description: "down", downDetection: down)])
        let next = try StoreWriter(store: store, journal: journal, domains: ["nas.lan"], logger: Logger(minimumLevel: .error))
        next.start()
        #expect(next.flush(timeout: 5))
        #expect(try store.incidents(checkID: id).count == 1)
    }
}
