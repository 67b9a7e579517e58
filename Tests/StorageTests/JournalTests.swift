// The state directory's journal: records survive a restart in order, a torn or damaged record is reported and
// skipped without losing the others, and an emptied journal leaves its state in state.json.
import Foundation
import Testing
@testable import Storage
import Encoding
import Logging
import Platform
import TestSupport

@Suite struct JournalTests {
    /// Times as the journal keeps them: whole milliseconds.
    func at(_ millisecondsAfterT0: Int64) -> Date {
        Date(timeIntervalSince1970: Double(1_795_986_185_123 + millisecondsAfterT0) / 1000)
    }
    var t0: Date { at(0) }

    func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "status-journal-" + UUID().uuidString
        return path
    }

    func allKinds() -> [StateChange] {
        [.opened(domain: "nas.lan", description: "no reply to 3 pings (timeout 1s)", downDetection: t0),
         .flipped(domain: "nas.lan", at: at(500), status: false),
         .described(domain: "nas.lan", description: "host unreachable, reported by 192.0.2.1 \"quoted\"\n"),
         .closed(domain: "nas.lan", upDetection: at(60004)),
         .gap(from: at(-30000), until: t0, reason: "crashed"),
         .opened(domain: "[2001:db8::1]", description: "é✓", downDetection: at(1))]
    }

    /// Incidents with a parent and in maintenance, and a classification.
    func markedKinds() -> [StateChange] {
        [.opened(domain: "printer.lan", description: "unreachable: behind switch.lan, which is down", downDetection: at(2),
                 marks: IncidentMarks(parentDomain: "switch.lan", parentDownDetection: at(-7), maintenance: false)),
         .opened(domain: "nas.lan", description: "no reply", downDetection: at(3), marks: IncidentMarks(maintenance: true)),
         .classified(domain: "printer.lan", description: "no reply to 3 pings (timeout 1s)",
                     marks: IncidentMarks(parentDomain: "switch.lan", parentDownDetection: at(-7), maintenance: true))]
    }

    @Test func everyKindOfRecordReadsBackExactly() throws {
        for (index, change) in (allKinds() + markedKinds()).enumerated() {
            let line = JournalRecord.encode(sequence: UInt64(index + 1), change)
            #expect(line.last == UInt8(ascii: "\n"))
            let decoded = try JournalRecord.decode(line.dropLast())
            #expect(decoded.sequence == UInt64(index + 1))
            #expect(decoded.change == change)
        }
    }

    @Test func recordsSurviveARestartInOrderAndTheStateFollowsThem() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let journal = try Journal(directory: directory)
            #expect(journal.recovered.changes.isEmpty && journal.recovered.lastAlive == nil)
            for (index, change) in allKinds().enumerated() { try journal.append(sequence: UInt64(index + 1), change) }
            try journal.markAlive(t0)
        }
        let reopened = try Journal(directory: directory)
        #expect(reopened.recovered.changes.map(\.change) == allKinds())
        #expect(reopened.recovered.changes.map(\.sequence) == Array(1...6))
        #expect(reopened.recovered.problems.isEmpty)
        #expect(reopened.recovered.downSince == ["[2001:db8::1]": at(1)], "nas.lan was closed")
        #expect(reopened.recovered.lastAlive?.at == t0 && reopened.recovered.lastAlive?.stoppedCleanly == false)
        #expect(reopened.waiting == 6 && reopened.lastSequence == 6)
    }

    @Test func aTornLastRecordIsReportedAndTheOnesBeforeItAreKept() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let changes = allKinds()
        do {
            let journal = try Journal(directory: directory)
            for (index, change) in changes.prefix(3).enumerated() { try journal.append(sequence: UInt64(index + 1), change) }
        }
        // A crash in the middle of writing the fourth record.
        let fourth = JournalRecord.encode(sequence: 4, changes[3])
        let handle = try #require(FileHandle(forWritingAtPath: directory + "/journal"))
        handle.seekToEndOfFile()
        handle.write(Data(fourth.prefix(fourth.count / 2)))
        handle.closeFile()

        do {
            let journal = try Journal(directory: directory)
            #expect(journal.recovered.changes.map(\.change) == Array(changes.prefix(3)))
            #expect(journal.recovered.problems.count == 1)
            #expect(journal.recovered.problems.first?.contains("torn") == true)
            try journal.append(sequence: 4, changes[3])
        }
        let after = try Journal(directory: directory)
        #expect(after.recovered.changes.map(\.change) == Array(changes.prefix(4)), "appends continue after the cut")
        #expect(after.recovered.problems.isEmpty, "the damaged bytes were dropped from the file")
    }

    @Test func aDamagedRecordInTheMiddleIsSkippedAndTheOthersKept() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let changes = allKinds()
        do {
            let journal = try Journal(directory: directory)
            for (index, change) in changes.enumerated() { try journal.append(sequence: UInt64(index + 1), change) }
        }
        var bytes = try #require(FileManager.default.contents(atPath: directory + "/journal"))
        let secondLine = try #require(bytes.firstIndex(of: UInt8(ascii: "\n"))) + 1
        bytes[secondLine + 30] ^= 0x01  // one flipped bit inside the second record's JSON
        try bytes.write(to: URL(fileURLWithPath: directory + "/journal"))

        let journal = try Journal(directory: directory)
        var expected = changes
        expected.remove(at: 1)
        #expect(journal.recovered.changes.map(\.change) == expected)
        #expect(journal.recovered.problems == ["journal line 2: checksum mismatch, skipped"])
    }

    @Test func oncePutInTheDatabaseTheJournalEmptiesAndStateJSONKeepsWhereItLed() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let journal = try Journal(directory: directory)
            try journal.remember(ids: ["nas.lan": 3, "router.lan": 4])
            try journal.append(sequence: 1, .opened(domain: "nas.lan", description: "x", downDetection: t0))
            try journal.append(sequence: 2, .opened(domain: "router.lan", description: "y", downDetection: t0))
            try journal.append(sequence: 3, .closed(domain: "router.lan", upDetection: at(5000)))
            try journal.applied(through: 1)
            try journal.applied(through: 2)
            #expect(journal.waiting == 1)
            #expect(FileManager.default.contents(atPath: directory + "/journal")?.isEmpty == false)
            try journal.applied(through: 3)
            #expect(journal.waiting == 0)
            #expect(FileManager.default.contents(atPath: directory + "/journal")?.isEmpty == true)
            try journal.markAlive(at(9000), stopped: true)
        }
        let reopened = try Journal(directory: directory)
        #expect(reopened.recovered.changes.isEmpty)
        #expect(reopened.recovered.ids == ["nas.lan": 3, "router.lan": 4])
        #expect(reopened.recovered.downSince == ["nas.lan": t0])
        #expect(reopened.recovered.lastAlive?.stoppedCleanly == true)
        #expect(reopened.recovered.lastAlive?.at == at(9000))
    }

    @Test func twoDaemonsCannotShareOneStateDirectory() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try Journal(directory: directory)
        #expect(throws: SystemError.self) { _ = try Journal(directory: directory) }
        withExtendedLifetime(first) {}
    }
}
