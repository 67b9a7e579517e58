// JSON string escaping and RFC 3339 formatting, as every payload uses them.
import Foundation
import Testing
@testable import Encoding

@Suite struct JSONTextTests {
    @Test func escapesQuotesBackslashesAndControls() {
        #expect(JSONText.string("a\"b\\c\n\u{01}") == "\"a\\\"b\\\\c\\n\\u0001\"")
        #expect(JSONText.string("nas.lan") == "\"nas.lan\"")
        #expect(JSONText.string("é✓") == "\"é✓\"")
        #expect(JSONText.string("\u{7F}\u{1F}\t\r") == "\"\\u007f\\u001f\\t\\r\"")
        #expect(JSONText.string("a\u{2028}b\u{2029}c\u{2027}") == "\"a\\u2028b\\u2029c\u{2027}\"")
        #expect(JSONText.string("") == "\"\"")
    }

    /// Every character a domain or description could hold survives a round trip through a JSON parser.
    @Test func escapedStringsParseBackToTheOriginal() throws {
        var text = ""
        for value in 0..<0x3000 where !(0xD800..<0xE000).contains(value) {
            if let scalar = Unicode.Scalar(value) { text.unicodeScalars.append(scalar) }
        }
        text += "😀\u{10FFFF}"
        let json = "[" + JSONText.string(text) + "]"
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String]
        #expect(parsed == [text])
        #expect(!json.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{2028}" || $0 == "\u{2029}" })
    }

    /// The calendar arithmetic agrees with the C library's gmtime on every day of 1900–2100 (alternately its first
    /// and last second), in both directions from 1970, and on leap days further out.
    @Test func timesAgreeWithGmtimeAcrossCenturies() {
        var disagreements: [String] = []
        var seconds: Int = -2_208_988_800  // 1900-01-01
        while seconds < 4_102_444_800 {  // 2100-01-01
            for offset in [seconds / 86_400 % 2 == 0 ? 0 : 86_399] {
                var value = time_t(seconds + offset)
                var parts = tm()
                gmtime_r(&value, &parts)
                let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.250Z", parts.tm_year + 1900,
                                      parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec)
                let shown = JSONText.time(Date(timeIntervalSince1970: Double(seconds + offset) + 0.25))
                if shown != expected { disagreements.append("\(shown) != \(expected)") }
            }
            seconds += 86_400
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(3))")
        #expect(JSONText.time(Date(timeIntervalSince1970: -0.001)) == "1969-12-31T23:59:59.999Z")
        #expect(JSONText.time(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
        #expect(JSONText.time(Date(timeIntervalSince1970: 13_574_563_200)) == "2400-02-29T00:00:00.000Z")
        #expect(JSONText.time(Date(timeIntervalSince1970: 13_574_649_599)) == "2400-02-29T23:59:59.000Z")
    }

    @Test func formatsUTCWithMillisecondsAndZ() {
        #expect(JSONText.time(Date(timeIntervalSince1970: 1_795_986_185.123)) == "2026-11-29T21:03:05.123Z")
        #expect(JSONText.time(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(JSONText.time(nil as Date?) == "null")
        #expect(JSONText.time(Date(timeIntervalSince1970: 253_402_300_799.999)) == "9999-12-31T23:59:59.999Z")
        #expect(JSONText.time(Date(timeIntervalSince1970: 253_402_300_800)) == "10000-01-01T00:00:00.000Z")
        #expect(JSONText.time(Date(timeIntervalSince1970: -62_167_219_200)) == "0000-01-01T00:00:00.000Z")
        #expect(JSONText.time(Date(timeIntervalSince1970: -62_167_219_200.001)) == "-1-12-31T23:59:59.999Z")
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
        #expect(JSONText.fixed3(123_456_789_012.5) == "123456789012.500")
        #expect(JSONText.fixed3(7) == "7.000")
        #expect(JSONText.fixed3(.nan) == "null")
    }

    @Test func integersAtTheirLimits() {
        for value: Int64 in [0, 7, 10, -1, -10, 1_000_000, .max, .min] {
            var json = JSONBuffer()
            json.integer(value)
            #expect(String(decoding: json.bytes, as: UTF8.self) == String(value))
        }
    }
}
