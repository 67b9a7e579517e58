// Times are kept to the millisecond (the API's RFC 3339 strings, the DATETIME(3) columns, the journal). One
// conversion for all of them, so a time read back from the database is shown and written again as the same
// millisecond, and one comparison for "the same incident start".
import Foundation

extension Date {
    /// Whole milliseconds since 1970, rounded down. Half a microsecond of slack absorbs the binary rounding of
    /// a time that is an exact millisecond (e.g. 1795986185.004 s × 1000 = …003.9998), which plain flooring
    /// would turn into the millisecond before.
    package var unixMilliseconds: Int64 {
        Int64((timeIntervalSince1970 * 1000 + 0.0005).rounded(.down))
    }

    /// The date of a count of milliseconds since 1970.
    package init(unixMilliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(unixMilliseconds) / 1000)
    }

    /// True when both fall in the same millisecond: how incidents and gaps are matched (an incident's identity is
    /// its check and its `down_detection`, which the database keeps to the millisecond).
    package func isSameMillisecond(as other: Date) -> Bool {
        unixMilliseconds == other.unixMilliseconds
    }
}
