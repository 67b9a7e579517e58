// inotify on a real directory: a write in place and a rename over the file are both reported by the file's name
// (what the host file's watcher needs), and reading with nothing waiting returns nothing instead of blocking.
import Foundation
import Testing
@testable import Platform

@Suite struct InotifyTests {
    @Test func writesInPlaceAndRenamesOverTheFileAreReportedByName() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inotify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("hosts.txt")
        let inotify = try Inotify()
        try inotify.watch(directory: directory.path)
        #expect(try inotify.read().isEmpty)

        try "127.0.0.1\n".write(to: file, atomically: false, encoding: .utf8)
        let written = try inotify.read()
        #expect(written.contains { $0.name == "hosts.txt" && $0.mask & 0x8 != 0 }, "IN_CLOSE_WRITE: \(written)")

        let swap = directory.appendingPathComponent(".hosts.txt.swp")
        try "127.0.0.2\n".write(to: swap, atomically: false, encoding: .utf8)
        #expect(rename(swap.path, file.path) == 0)
        let renamed = try inotify.read()
        #expect(renamed.contains { $0.name == "hosts.txt" && $0.mask & 0x80 != 0 }, "IN_MOVED_TO: \(renamed)")
    }

    @Test func parsesEventsWithPaddedNames() {
        var bytes: [UInt8] = []
        for (mask, name) in [(UInt32(0x80), "hosts.txt"), (UInt32(0x8000), "")] {
            let padded = name.isEmpty ? [] : Array(name.utf8) + [UInt8](repeating: 0, count: 16 - name.utf8.count)
            for word in [UInt32(1), mask, 0, UInt32(padded.count)] {
                bytes += [UInt8(word & 0xff), UInt8(word >> 8 & 0xff), UInt8(word >> 16 & 0xff), UInt8(word >> 24)]
            }
            bytes += padded
        }
        let events = Inotify.parse(bytes[...])
        #expect(events == [Inotify.Event(name: "hosts.txt", mask: 0x80), Inotify.Event(name: "", mask: 0x8000)])
        #expect(events[1].watchEnded)
    }
}
