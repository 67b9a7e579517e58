// The query parameter of `GET /status` and `GET /status/down`: `group` (a group of the host file) lists only
// that group's hosts. Unknown parameters are ignored, as for the incidents' query.
import Foundation

enum StatusQuery {
    /// The group asked for; nil for every host.
    static func group(_ query: String?) throws -> String? {
        guard let query, !query.isEmpty else { return nil }
        var group: String?
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard try IncidentQuery.decode(parts[0]) == "group" else { continue }
            guard group == nil else { throw IncidentQuery.Invalid(reason: "group is given more than once") }
            group = parts.count > 1 ? try IncidentQuery.decode(parts[1]) : ""
        }
        return group
    }
}
