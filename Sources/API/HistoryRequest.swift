// The query parameters of the history endpoints: `since` and `until` (RFC 3339, or a duration meaning that long
// before now, e.g. `since=7d`) and `step` (a duration: 60, 5m, 1h, 1d). Defaults: until now, since a day before
// until, and a step giving at most ~300 buckets (an hour for GET /status/history). A range is cut to 1970 … a day
// from now (nothing is measured outside). Unknown parameters are
// ignored; a bad value of a known one is a 400 that says which and why.
import Encoding
import Foundation
import History

package enum HistoryRequest {
    /// GET /status/history's `form`: every bucket as an object (the default), or each host's figures as arrays.
    package enum Form: String, Sendable {
        case buckets
        case compact
    }

    /// The `form` parameter; a value other than `buckets` or `compact` is a 400.
    package static func form(_ text: String?) throws(IncidentQuery.Invalid) -> Form {
        for pair in (text ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts[0] == "form" else { continue }
            let value = parts.count > 1 ? String(parts[1]) : ""
            guard let form = Form(rawValue: value) else {
                throw IncidentQuery.Invalid(reason: "form must be buckets or compact, not \"\(value.prefix(64))\"")
            }
            return form
        }
        return .buckets
    }

    /// The query `text` asks for, as of `now`. `defaultStep` (seconds) stands in for a missing `step`.
    package static func parse(_ text: String?, ladder: HistoryLadder, now: Date,
                              defaultStep: Int64? = nil) throws(IncidentQuery.Invalid) -> HistoryQuery {
        var values: [String: String] = [:]
        for pair in (text ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name: String
            let value: String
            do {
                name = try IncidentQuery.decode(parts[0])
                value = parts.count > 1 ? try IncidentQuery.decode(parts[1]) : ""
            } catch {
                throw IncidentQuery.Invalid(reason: "the query string has an invalid percent escape or is not UTF-8")
            }
            guard ["since", "until", "step"].contains(name) else { continue }  // `form` is read by form(_:)
            guard values[name] == nil else { throw IncidentQuery.Invalid(reason: "\(name) is given more than once") }
            values[name] = value
        }
        let until = try values["until"].map { value throws(IncidentQuery.Invalid) in try time("until", value, now: now) } ?? now
        let since = try values["since"].map { value throws(IncidentQuery.Invalid) in try time("since", value, now: now) }
            ?? until.addingTimeInterval(-86_400)
        var step = defaultStep
        if let value = values["step"] {
            guard value.first != "0", Self.isDuration(value, fraction: false), let duration = ConfigDuration.parse(value),
                  duration.nanoseconds >= 1_000_000_000 else {
                throw IncidentQuery.Invalid(reason: "step must be a whole duration of at least 1s such as 60, 60s, 5m, 1h or 1d, not \"\(value.prefix(64))\"")
            }
            step = Int64(duration.nanoseconds / 1_000_000_000)
        }
        // Nothing was measured before 1970 or after now: a range reaching past either is cut there.
        let latest = now.addingTimeInterval(86_400)
        let from = max(since, Date(timeIntervalSince1970: 0))
        let to = min(until, max(latest, from))
        do {
            return try HistoryQuery(since: Int64(from.timeIntervalSince1970.rounded(.down)),
                                    until: Int64(to.timeIntervalSince1970.rounded(.up)), step: step, ladder: ladder,
                                    now: Int64(now.timeIntervalSince1970))
        } catch {
            throw IncidentQuery.Invalid(reason: error.description)
        }
    }

    /// The OpenAPI document's pattern for these durations, exactly: up to four digits, with `fraction` up to three
    /// more after a point, and a unit (ms, s, m, h, d; `ms` not for whole-second steps) or none (seconds).
    static func isDuration(_ text: String, fraction: Bool) -> Bool {
        var rest = Substring(text)
        for unit in fraction ? ["ms", "s", "m", "h", "d"] : ["s", "m", "h", "d"] where rest.hasSuffix(unit) {
            rest = rest.dropLast(unit.count)
            break
        }
        let parts = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        func digits(_ part: Substring, _ most: Int) -> Bool {
            !part.isEmpty && part.count <= most && part.allSatisfy { $0 >= "0" && $0 <= "9" }
        }
        guard let whole = parts.first, digits(whole, 4) else { return false }
        return parts.count == 1 || (fraction && digits(parts[1], 3))
    }

    /// An RFC 3339 time, or a duration before `now`.
    private static func time(_ name: String, _ value: String, now: Date) throws(IncidentQuery.Invalid) -> Date {
        let text = value.replacingOccurrences(of: " ", with: "+")  // an unencoded "+" of an offset
        if let time = RFC3339.parse(text) { return time }
        if isDuration(text, fraction: true), let duration = ConfigDuration.parse(text) {
            return now.addingTimeInterval(-duration.seconds)
        }
        throw IncidentQuery.Invalid(reason: "\(name) must be an RFC 3339 date-time such as 2026-11-24T21:00:00Z or a duration before now such as 3h or 7d, not \"\(value.prefix(64))\"")
    }
}
