// A host's maintenance window as written in the hosts file (maintenance="Sun 02:00-04:00"): the type, its
// parser and its errors. The time arithmetic (contains, occurrences, daylight-saving rules) is in
// MaintenanceWindow+Calendar.swift.
//
//   <Day> HH:MM-HH:MM     weekly; Day is Mon…Sun or Monday…Sunday, in any case
//   daily HH:MM-HH:MM     every day
//   START/END             once, each end YYYY-MM-DDTHH:MM[:SS] with an optional Z or ±HH:MM offset
//
// Daily and weekly windows are local wall-clock times in the window's time zone and may cross midnight
// ("daily 23:30-00:30" ends at 00:30 the next day); absolute ends without an offset are local too, read by
// the same rule at daylight-saving changes (the first instant the clock reaches them).
import Foundation

package struct MaintenanceWindow: Equatable, Sendable {
    package enum Schedule: Equatable, Sendable {
        case daily(start: Int, end: Int)                 // minutes after local midnight, 0..<1440
        case weekly(weekday: Int, start: Int, end: Int)  // weekday 1 = Sunday ... 7 = Saturday (Calendar's numbering)
        case once(start: Date, end: Date)
    }

    /// Why a window does not parse; the description goes after "hosts.txt:12: maintenance ", so it names no line.
    package enum ParseError: Error, CustomStringConvertible, Equatable {
        case empty
        case unrecognized(String)
        case unknownDay(String)
        case missingDash(String)
        case badTime(window: String, time: String)
        case emptyWindow(String)
        case badDateTime(String)
        case endNotAfterStart(start: String, end: String)

        package var description: String {
            switch self {
            case .empty:
                return "no window given (e.g. \"Sun 02:00-04:00\")"
            case .unrecognized(let text):
                return "\"\(text)\": expected \"<day> HH:MM-HH:MM\", \"daily HH:MM-HH:MM\" or \"START/END\""
            case .unknownDay(let day):
                return "unknown day \"\(day)\" (use Mon…Sun or daily)"
            case .missingDash(let text):
                return "\"\(text)\": the times need a dash between them, as in HH:MM-HH:MM"
            case .badTime(let window, let time):
                let hint = time == "24:00" ? "; write midnight as 00:00" : ""
                return "\"\(window)\": times are HH:MM (00:00 to 23:59)\(hint)"
            case .emptyWindow(let text):
                return "\"\(text)\": empty window (the start and end are the same time)"
            case .badDateTime(let text):
                return "\"\(text)\" is not a date and time YYYY-MM-DDTHH:MM (optionally :SS, then Z or ±HH:MM)"
            case .endNotAfterStart(let start, let end):
                return "the end \(end) is not after the start \(start)"
            }
        }
    }

    package let text: String          // as written (trimmed), for the API and logs
    package let schedule: Schedule
    package let timeZone: TimeZone
    /// The zone's offset when it never changes (UTC, Etc/GMT-3): `contains` is then plain arithmetic.
    let fixedOffset: Int?

    init(text: String, schedule: Schedule, timeZone: TimeZone) {
        self.text = text
        self.schedule = schedule
        self.timeZone = timeZone
        self.fixedOffset = timeZone.nextDaylightSavingTimeTransition(after: .distantPast) == nil
            ? timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: 0)) : nil
    }

    /// Parses one window; times are read in `timeZone`.
    package static func parse(_ text: String, timeZone: TimeZone) throws(ParseError) -> MaintenanceWindow {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .empty }
        let schedule: Schedule
        if trimmed.contains("/") {
            schedule = try parseOnce(trimmed, timeZone: timeZone)
        } else {
            schedule = try parseRecurring(trimmed)
        }
        return MaintenanceWindow(text: trimmed, schedule: schedule, timeZone: timeZone)
    }

    /// Reads the `TZ` environment variable's value: unset or empty is UTC; an IANA name, optionally with glibc's
    /// leading ':' (or a path into a zoneinfo directory), is that zone; nil when the zone is unknown.
    package static func timeZone(fromTZ value: String?) -> TimeZone? {
        if meansUTC(tz: value) { return TimeZone(identifier: "UTC") ?? .gmt }
        return TimeZone(identifier: String(zoneName(fromTZ: value)))
    }

    /// Whether the `TZ` value stands for UTC (unset, empty, UTC or GMT): known without reading any zone data.
    package static func meansUTC(tz value: String?) -> Bool {
        let name = zoneName(fromTZ: value)
        return name.isEmpty || ["UTC", "GMT"].contains(name.uppercased())
    }

    private static func zoneName(fromTZ value: String?) -> Substring {
        var name = Substring((value ?? "").trimmingCharacters(in: .whitespaces))
        if name.hasPrefix(":") { name = name.dropFirst() }
        if name.hasPrefix("/"), let range = name.range(of: "zoneinfo/") { name = name[range.upperBound...] }
        return name
    }

    // MARK: Daily and weekly

    private static let dayNames: [String: Int] = [
        "sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7,
        "sunday": 1, "monday": 2, "tuesday": 3, "wednesday": 4, "thursday": 5, "friday": 6, "saturday": 7,
    ]

    private static func parseRecurring(_ text: String) throws(ParseError) -> Schedule {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard words.count >= 2, let first = words.first else { throw .unrecognized(text) }
        let day = first.lowercased()
        let weekday = dayNames[day]
        guard day == "daily" || weekday != nil else {
            // "02:00-04:00 Sun" or "every Sunday": not a day first, so say what the shape should be.
            if first.contains(":") || first.contains("-") { throw .unrecognized(text) }
            throw .unknownDay(String(first))
        }
        let range = words.dropFirst().joined(separator: " ")
        let ends = range.split(separator: "-", omittingEmptySubsequences: false)
        guard ends.count == 2 else { throw ends.count < 2 ? .missingDash(text) : .unrecognized(text) }
        let startText = ends[0].trimmingCharacters(in: .whitespaces)
        let endText = ends[1].trimmingCharacters(in: .whitespaces)
        guard let start = minutes(startText) else { throw .badTime(window: text, time: startText) }
        guard let end = minutes(endText) else { throw .badTime(window: text, time: endText) }
        guard start != end else { throw .emptyWindow(text) }
        if let weekday { return .weekly(weekday: weekday, start: start, end: end) }
        return .daily(start: start, end: end)
    }

    /// "HH:MM", exactly two digits each, 00:00 to 23:59, as minutes after midnight.
    static func minutes(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 5, bytes[2] == UInt8(ascii: ":"),
              let hour = number(bytes[0..<2]), let minute = number(bytes[3..<5]),
              hour < 24, minute < 60 else { return nil }
        return hour * 60 + minute
    }

    /// The value of a run of ASCII digits (nil when any byte is not a digit, or the run is empty).
    private static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    // MARK: Once

    private static func parseOnce(_ text: String, timeZone: TimeZone) throws(ParseError) -> Schedule {
        let ends = text.split(separator: "/", omittingEmptySubsequences: false)
        guard ends.count == 2 else { throw .unrecognized(text) }
        let startText = ends[0].trimmingCharacters(in: .whitespaces)
        let endText = ends[1].trimmingCharacters(in: .whitespaces)
        guard let start = dateTime(startText, timeZone: timeZone) else { throw .badDateTime(startText) }
        guard let end = dateTime(endText, timeZone: timeZone) else { throw .badDateTime(endText) }
        guard end > start else { throw .endNotAfterStart(start: startText, end: endText) }
        return .once(start: start, end: end)
    }

    /// YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]; without an offset the wall-clock time is read in `timeZone`, by the
    /// same rule as daily windows (the first instant the clock reaches it).
    static func dateTime(_ text: String, timeZone: TimeZone) -> Date? {
        let b = Array(text.utf8)
        guard b.count >= 16, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"), b[13] == UInt8(ascii: ":"),
              let year = number(b[0..<4]), let month = number(b[5..<7]), let day = number(b[8..<10]),
              let hour = number(b[11..<13]), let minute = number(b[14..<16]),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24, minute < 60
        else { return nil }
        var index = 16
        var second = 0
        if index < b.count, b[index] == UInt8(ascii: ":") {
            guard b.count >= index + 3, let value = number(b[(index + 1)..<(index + 3)]), value < 60 else { return nil }
            second = value
            index += 3
        }
        let local = daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
        if index == b.count { return Date(timeIntervalSince1970: Double(firstInstant(reaching: local, in: timeZone))) }
        if b.count == index + 1, b[index] == UInt8(ascii: "Z") || b[index] == UInt8(ascii: "z") {
            return Date(timeIntervalSince1970: Double(local))
        }
        guard b.count == index + 6, b[index] == UInt8(ascii: "+") || b[index] == UInt8(ascii: "-"),
              b[index + 3] == UInt8(ascii: ":"),
              let offsetHours = number(b[(index + 1)..<(index + 3)]),
              let offsetMinutes = number(b[(index + 4)..<(index + 6)]), offsetHours < 24, offsetMinutes < 60
        else { return nil }
        let offset = (offsetHours * 3600 + offsetMinutes * 60) * (b[index] == UInt8(ascii: "-") ? -1 : 1)
        return Date(timeIntervalSince1970: Double(local - offset))
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
