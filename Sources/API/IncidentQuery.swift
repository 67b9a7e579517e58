// The query parameters of `GET /status/service/{domain}/incidents`: `since` and `until` (RFC 3339) and `limit`
// (1–10,000). Unknown parameters are ignored, as web APIs usually do; a bad value of a known one is a 400 that
// says which and why.
import Encoding
import Foundation
import Storage

package enum IncidentQuery {
    package static let maximumLimit = 10_000

    package struct Invalid: Error, Equatable {
        package var reason: String
    }

    package static func parse(_ query: String?) throws -> IncidentFilter {
        var filter = IncidentFilter()
        guard let query, !query.isEmpty else { return filter }
        var seen: Set<String> = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try decode(parts[0])
            guard ["since", "until", "limit"].contains(name) else { continue }
            guard seen.insert(name).inserted else { throw Invalid(reason: "\(name) is given more than once") }
            let value = parts.count > 1 ? try decode(parts[1]) : ""
            switch name {
            case "limit":
                guard !value.isEmpty, value.utf8.count <= 6, value.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                      let limit = Int(value), (1...maximumLimit).contains(limit) else {
                    throw Invalid(reason: "limit must be a whole number from 1 to \(maximumLimit), not \"\(value.prefix(64))\"")
                }
                filter.limit = limit
            default:
                // An unencoded "+" of an offset arrives as a space (form encoding): take it back.
                let text = value.replacingOccurrences(of: " ", with: "+")
                guard let time = RFC3339.parse(text) else {
                    throw Invalid(reason: "\(name) must be an RFC 3339 date-time such as 2026-11-24T21:00:00Z, not \"\(value.prefix(64))\"")
                }
                if name == "since" { filter.since = time } else { filter.until = time }
            }
        }
        return filter
    }

    /// Form decoding: "+" is a space, then percent escapes.
    static func decode(_ text: Substring) throws -> String {
        do {
            return try PercentDecoding.decode(Substring(text.replacingOccurrences(of: "+", with: " ")))
        } catch {
            throw Invalid(reason: "the query string has an invalid percent escape or is not UTF-8")
        }
    }
}
