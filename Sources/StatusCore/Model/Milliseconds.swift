// Times are kept to the millisecond (the API's RFC 3339 strings, the DATETIME(3) columns). One conversion for
// both, so a time read back from the database is shown and written again as the same millisecond.
import Foundation

extension Date {
    /// Whole milliseconds since 1970, rounded down. Half a microsecond of slack absorbs the binary rounding of
    /// a time that is an exact millisecond (e.g. 1795986185.004 s × 1000 = …003.9998), which plain flooring
    /// would turn into the millisecond before.
    var unixMilliseconds: Int64 {
        Int64((timeIntervalSince1970 * 1000 + 0.0005).rounded(.down))
    }
}
