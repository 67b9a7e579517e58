// The incidents endpoint's query parameters: RFC 3339 times, limit bounds, and 400s that say what is wrong.
import Encoding
import Foundation
import Testing
@testable import API
import HTTP
import Logging
import Monitor
import Storage
import Uptime
import TestSupport

@Suite struct IncidentQueryTests {
    @Test(arguments: [
        ("2026-11-24T21:03:05Z", 1_795_554_185.0),
        ("2026-11-24T21:03:05.123Z", 1_795_554_185.123),
        ("2026-11-24t21:03:05z", 1_795_554_185.0),
        ("2026-11-24T22:03:05+01:00", 1_795_554_185.0),
        ("2026-11-24T20:33:05-00:30", 1_795_554_185.0),
        ("2024-02-29T00:00:00Z", 1_709_164_800.0),
        ("1970-01-01T00:00:00Z", 0.0),
    ])
    func rfc3339TimesAreRead(text: String, seconds: Double) throws {
        let date = try #require(RFC3339.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.0005)
    }

    @Test(arguments: ["", "2026-11-24", "2026-11-24T21:03:05", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
                      "2026-11-24T24:00:00Z", "2026-11-24T21:60:00Z", "2026-11-24T21:03:05.Z", "2026-11-24T21:03:05+0100",
                      "2026-11-24T21:03:05Z ", "yesterday", "1795986185", "２０２６-11-24T21:03:05Z"])
    func anythingElseIsNotATime(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test func parametersBecomeAFilter() throws {
        let filter = try IncidentQuery.parse("since=2026-11-24T00:00:00Z&until=2026-11-25T00%3A00%3A00Z&limit=20&page=3")
        #expect(filter.since == RFC3339.parse("2026-11-24T00:00:00Z"))
        #expect(filter.until == RFC3339.parse("2026-11-25T00:00:00Z"))
        #expect(filter.limit == 20)
        #expect(try IncidentQuery.parse(nil) == .all)
        #expect(try IncidentQuery.parse("") == .all)
    }

    @Test func anUnencodedPlusOfAnOffsetStillWorks() throws {
        let filter = try IncidentQuery.parse("since=2026-11-24T01:00:00+01:00")
        #expect(filter.since == RFC3339.parse("2026-11-24T00:00:00Z"))
    }

    @Test(arguments: [
        ("limit=0", "limit must be a whole number from 1 to 10000"),
        ("limit=10001", "limit must be a whole number from 1 to 10000"),
        ("limit=-1", "limit must be"),
        ("limit=1.5", "limit must be"),
        ("limit=", "limit must be"),
        ("limit=99999999999999999999", "limit must be"),
        ("since=yesterday", "since must be an RFC 3339 date-time"),
        ("until=2026-11-24", "until must be an RFC 3339 date-time"),
        ("limit=1&limit=2", "limit is given more than once"),
        ("since=%zz", "invalid percent escape"),
    ])
    func badValuesAreRefusedWithTheReason(query: String, reason: String) {
        #expect {
            try IncidentQuery.parse(query)
        } throws: { error in
            (error as? IncidentQuery.Invalid)?.reason.contains(reason) == true
        }
    }
}
