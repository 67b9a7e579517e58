// JSON string escaping and RFC 3339 formatting, as every payload uses them.
import Foundation
import Testing
@testable import StatusCore

@Suite struct JSONTextTests {
    @Test func escapesQuotesBackslashesAndControls() {
        #expect(JSONText.string("a\"b\\c\n\u{01}") == "\"a\\\"b\\\\c\\n\\u0001\"")
        #expect(JSONText.string("nas.lan") == "\"nas.lan\"")
        #expect(JSONText.string("é✓") == "\"é✓\"")
    }

    @Test func formatsUTCWithMillisecondsAndZ() {
        #expect(JSONText.time(Date(timeIntervalSince1970: 1_795_986_185.123)) == "2026-11-29T21:03:05.123Z")
        #expect(JSONText.time(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(JSONText.time(nil as Date?) == "null")
        #expect(JSONText.time(Date(timeIntervalSince1970: 253_402_300_799.999)) == "9999-12-31T23:59:59.999Z")
        #expect(JSONText.time(Date(timeIntervalSince1970: 1_795_986_185.0009)) == "2026-11-29T21:03:05.000Z")
        let wrong = (0..<1000).filter { millisecond in
            let text = JSONText.time(Date(timeIntervalSince1970: 1_795_986_185 + Double(millisecond) / 1000))
            return !text.hasSuffix(String(format: ".%03dZ", millisecond))
        }
        #expect(wrong.isEmpty, "an exact millisecond is shown as the one before: \(wrong.prefix(5))")
    }

    @Test func fixedThreeDecimals() {
        #expect(JSONText.fixed3(0.0424) == "0.042")
        #expect(JSONText.fixed3(0.0425) == "0.043")
        #expect(JSONText.fixed3(12.5) == "12.500")
        #expect(JSONText.fixed3(0) == "0.000")
        #expect(JSONText.fixed3(1234.0009) == "1234.001")
    }
}
