// The log's writer: appending never waits for the output, even when nobody reads it; what does not fit is
// dropped and counted, and said once the output drains; lines keep their order.
import Dispatch
import Foundation
import Glibc
import Testing
@testable import Logging
import TestSupport

@Suite struct LogWriterTests {
    /// A pipe: the writer writes its write end; the test reads the read end (or does not).
    struct Pipe {
        let read: Int32
        let write: Int32

        init() throws {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else { throw POSIXError(.EIO) }
            read = ends[0]
            write = ends[1]
        }

        /// Reads what is there until `stop` holds for the text read so far, or `timeout` seconds pass.
        func readUntil(timeout: Double, _ stop: (String) -> Bool) -> String {
            _ = fcntl(read, F_SETFL, O_NONBLOCK)
            var text = Data()
            let deadline = Date().addingTimeInterval(timeout)
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while Date() < deadline {
                let count = buffer.withUnsafeMutableBytes { Glibc.read(read, $0.baseAddress, $0.count) }
                if count > 0 { text.append(contentsOf: buffer[0..<count]) } else { usleep(5_000) }
                if stop(String(decoding: text, as: UTF8.self)) { break }
            }
            return String(decoding: text, as: UTF8.self)
        }
    }

    @Test func appendingNeverWaitsForAnOutputNobodyReads() throws {
        let pipe = try Pipe()
        let writer = LogWriter(descriptor: pipe.write, capacityBytes: 16_384)
        let line = String(repeating: "x", count: 99)
        let appended = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            // 500 KB into a 64 KiB pipe and a 16 KiB buffer, with a pause after the first 30 KB: the writer
            // catches up while the pipe still has room, so the loss is said twice (as on a busy machine).
            for _ in 0..<300 { writer.append(line) }
            usleep(50_000)
            for _ in 300..<5_000 { writer.append(line) }
            appended.signal()
        }
        #expect(appended.wait(timeout: .now() + 5) == .success, "append blocked on the full pipe")
        let dropped = writer.droppedLines
        #expect(dropped > 0 && dropped < 5_000, "what did not fit was dropped and counted: \(dropped)")
        // The writer may catch up more than once while the lines pour in (the pipe had room), so the loss can be
        // said in several lines; together they count every dropped line, and every other line arrives.
        func reported(_ text: String) -> (lines: Int, lost: UInt64) {
            var lines = 0, lost: UInt64 = 0
            for row in text.split(separator: "\n") {
                if row == line { lines += 1 }
                if let range = row.range(of: "level=warn event=log_dropped count=") { lost += UInt64(row[range.upperBound...]) ?? 0 }
            }
            return (lines, lost)
        }
        let text = pipe.readUntil(timeout: 5) { reported($0).lost >= dropped && reported($0).lines >= 5_000 - Int(dropped) }
        #expect(reported(text).lost == dropped, "once drained it says how many: \(text.split(separator: "\n").filter { $0.contains("log_dropped") })")
        #expect(reported(text).lines == 5_000 - Int(dropped), "the others all arrived")
    }

    @Test func linesArriveWholeAndInOrder() throws {
        let pipe = try Pipe()
        let writer = LogWriter(descriptor: pipe.write, capacityBytes: 1 << 20)
        for n in 0..<2_000 { writer.append("line \(n)") }
        #expect(writer.flush(timeout: 5))
        let text = pipe.readUntil(timeout: 5) { $0.hasSuffix("line 1999\n") }
        #expect(text.split(separator: "\n").map(String.init) == (0..<2_000).map { "line \($0)" })
        #expect(writer.droppedLines == 0)
    }

    @Test func aLoggerFormatsOneKeyValueLinePerEvent() throws {
        let pipe = try Pipe()
        let logger = Logger(minimumLevel: .info, writer: LogWriter(descriptor: pipe.write, capacityBytes: 4096))
        logger.debug("hidden")
        logger.warning("host_down", ["host": "nas.lan", "cause": "no reply to 3 pings"])
        #expect(logger.flush(timeout: 5))
        let text = pipe.readUntil(timeout: 5) { $0.hasSuffix("\n") }
        #expect(text.hasSuffix(" level=warn event=host_down host=nas.lan cause=\"no reply to 3 pings\"\n"), "\(text)")
        #expect(!text.contains("hidden"))
    }
}
