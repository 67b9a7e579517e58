// Maintenance windows: the hosts-file syntax and its errors, wrapping past midnight and the week's end,
// occurrences over a period, daylight-saving changes (Europe/Berlin, America/New_York), TZ values, and speed.
import Foundation
import Testing
@testable import Monitor

@Suite struct MaintenanceWindowTests {
    let utc = TimeZone(identifier: "UTC") ?? .gmt

    private func at(_ text: String) throws -> Date { try Date(text, strategy: .iso8601) }
    private func window(_ text: String, _ zone: TimeZone? = nil) throws -> MaintenanceWindow {
        try MaintenanceWindow.parse(text, timeZone: zone ?? utc)
    }
    func zone(_ identifier: String) throws -> TimeZone { try #require(TimeZone(identifier: identifier)) }
    private func error(_ text: String) -> MaintenanceWindow.ParseError? {
        do { _ = try MaintenanceWindow.parse(text, timeZone: utc); return nil } catch { return error }
    }

    // MARK: Parsing

    @Test func parsesWeeklyWindowsWithShortAndFullDayNamesInAnyCase() throws {
        #expect(try window("Sun 02:00-04:00").schedule == .weekly(weekday: 1, start: 120, end: 240))
        #expect(try window("mon 08:15-09:00").schedule == .weekly(weekday: 2, start: 495, end: 540))
        #expect(try window("SAT 23:00-01:00").schedule == .weekly(weekday: 7, start: 1380, end: 60))
        #expect(try window("Thursday 00:00-23:59").schedule == .weekly(weekday: 5, start: 0, end: 1439))
        #expect(try window("wEdNeSdAy 12:00-13:00").schedule == .weekly(weekday: 4, start: 720, end: 780))
        for (index, name) in ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"].enumerated() {
            #expect(try window("\(name) 01:00-02:00").schedule == .weekly(weekday: index + 1, start: 60, end: 120))
            #expect(try window("\(name.prefix(3)) 01:00-02:00").schedule == .weekly(weekday: index + 1, start: 60, end: 120))
        }
    }

    @Test func parsesDailyWindows() throws {
        #expect(try window("daily 23:30-00:30").schedule == .daily(start: 1410, end: 30))
        #expect(try window("DAILY 00:00-00:01").schedule == .daily(start: 0, end: 1))
    }

    @Test func parsesAbsoluteIntervalsWithAndWithoutOffsets() throws {
        let berlin = try zone("Europe/Berlin")
        let local = try window("2026-12-24T18:00/2026-12-26T12:00", berlin)
        #expect(local.schedule == .once(start: try at("2026-12-24T17:00:00Z"), end: try at("2026-12-26T11:00:00Z")))
        #expect(try window("2026-12-24T18:00Z/2026-12-24T19:00:30z", berlin).schedule
            == .once(start: try at("2026-12-24T18:00:00Z"), end: try at("2026-12-24T19:00:30Z")))
        #expect(try window("2026-12-24T18:00:15+05:30/2026-12-24T18:00-01:00").schedule
            == .once(start: try at("2026-12-24T12:30:15Z"), end: try at("2026-12-24T19:00:00Z")))
        #expect(try window("2028-02-29T00:00/2028-03-01T00:00").schedule
            == .once(start: try at("2028-02-29T00:00:00Z"), end: try at("2028-03-01T00:00:00Z")), "a leap day")
        #expect(try window(" 2026-12-24T18:00Z / 2026-12-24T19:00Z ").text == "2026-12-24T18:00Z / 2026-12-24T19:00Z")
    }

    @Test func trimsSurroundingWhitespaceAndAllowsRunsOfSpaces() throws {
        let spaced = try window("  \tWed    02:00-04:00 \n")
        #expect(spaced.text == "Wed    02:00-04:00")
        #expect(spaced.schedule == .weekly(weekday: 4, start: 120, end: 240))
        #expect(try window("daily   23:00 - 01:00").schedule == .daily(start: 1380, end: 60))
    }

    @Test func rejectsAnUnknownDay() {
        #expect(error("Sum 02:00-04:00") == .unknownDay("Sum"))
        #expect(error("Sum 02:00-04:00")?.description == "unknown day \"Sum\" (use Mon…Sun or daily)")
        #expect(error("weekly 02:00-04:00") == .unknownDay("weekly"))
    }

    @Test func rejectsBadTimes() {
        #expect(error("Sun 2:00-04:00") == .badTime(window: "Sun 2:00-04:00", time: "2:00"))
        #expect(error("Sun 2:00-04:00")?.description == "\"Sun 2:00-04:00\": times are HH:MM (00:00 to 23:59)")
        for text in ["Sun 02:60-04:00", "Sun 02:00-4:00", "daily 0a:00-01:00", "daily 02:00-03:000", "daily 02.00-03:00",
                     "daily 02:00-", "daily -03:00"] {
            guard case .badTime = error(text) else { Issue.record("\(text): \(String(describing: error(text)))"); continue }
        }
    }

    @Test func rejectsTwentyFourHundred() {
        #expect(error("Sun 22:00-24:00") == .badTime(window: "Sun 22:00-24:00", time: "24:00"))
        #expect(error("daily 24:00-01:00") == .badTime(window: "daily 24:00-01:00", time: "24:00"))
        #expect(error("Sun 22:00-24:00")?.description.hasSuffix("write midnight as 00:00") == true)
    }

    @Test func rejectsAnEmptyWindow() {
        #expect(error("daily 02:00-02:00") == .emptyWindow("daily 02:00-02:00"))
        #expect(error("Sun 00:00-00:00")?.description
            == "\"Sun 00:00-00:00\": empty window (the start and end are the same time)")
    }

    @Test func rejectsAnAbsoluteEndNotAfterTheStart() {
        #expect(error("2026-12-24T18:00/2026-12-24T10:00")?.description
            == "the end 2026-12-24T10:00 is not after the start 2026-12-24T18:00")
        #expect(error("2026-12-24T18:00Z/2026-12-24T18:00Z") == .endNotAfterStart(start: "2026-12-24T18:00Z", end: "2026-12-24T18:00Z"))
        #expect(error("2026-12-24T18:00+01:00/2026-12-24T16:30Z")
            == .endNotAfterStart(start: "2026-12-24T18:00+01:00", end: "2026-12-24T16:30Z"), "18:00+01:00 is 17:00Z")
        #expect(error("2026-12-24T18:00+01:00/2026-12-24T17:30Z") == nil, "offsets are compared as instants")
    }

    @Test func rejectsGarbage() {
        #expect(error("") == .empty)
        #expect(error("   ") == .empty)
        #expect(error("whenever") == .unrecognized("whenever"))
        #expect(error("Sun") == .unrecognized("Sun"))
        #expect(error("02:00-04:00 Sun") == .unrecognized("02:00-04:00 Sun"))
        #expect(error("Sun 02:00-03:00-04:00") == .unrecognized("Sun 02:00-03:00-04:00"))
        #expect(error("a/b/c") == .unrecognized("a/b/c"))
        #expect(error("whenever")?.description.contains("expected") == true)
    }

    @Test func rejectsAMissingDash() {
        #expect(error("Sun 02:00 04:00") == .missingDash("Sun 02:00 04:00"))
        #expect(error("daily 02:00")?.description == "\"daily 02:00\": the times need a dash between them, as in HH:MM-HH:MM")
    }

    @Test func rejectsBadDateTimes() {
        for (text, part) in [("2026-02-30T10:00/2026-03-01T00:00", "2026-02-30T10:00"),
                             ("2026-12-24 18:00/2026-12-25T00:00", "2026-12-24 18:00"),
                             ("2026-12-24T18:00/2026-12-25T24:00", "2026-12-25T24:00"),
                             ("2026-12-24T18:00+1:00/2026-12-25T00:00", "2026-12-24T18:00+1:00"),
                             ("2026-12-24T18:00:60/2026-12-25T00:00", "2026-12-24T18:00:60"),
                             ("2026-13-01T00:00/2027-01-01T00:00", "2026-13-01T00:00"),
                             ("2026-12-24T18:00/", ""), ("2027-02-29T00:00/2027-03-01T00:00", "2027-02-29T00:00")] {
            #expect(error(text) == .badDateTime(part), "\(text)")
        }
    }
}
