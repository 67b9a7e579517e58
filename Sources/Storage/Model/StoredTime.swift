// The times the store keeps: DATETIME(3) columns hold the years 1000 to 9999, to the millisecond. A time outside
// that range is refused by both stores alike, before anything of the call is written.
import Encoding
import Foundation

package enum StoredTime {
    /// 1000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z, in milliseconds since 1970.
    static let earliest: Int64 = -30_610_224_000_000
    static let latest: Int64 = 253_402_300_799_999

    /// Throws `StoreError.failed` when `date` cannot be stored.
    package static func check(_ date: Date) throws {
        let milliseconds = date.unixMilliseconds
        guard milliseconds >= earliest, milliseconds <= latest else {
            throw StoreError.failed("\(date) is outside the times the database keeps (the years 1000 to 9999)")
        }
    }
}
