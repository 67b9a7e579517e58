// Values bound to and read from prepared statements: the only way data reaches SQL.
import Foundation

/// A statement parameter or result cell.
package enum SQLValue: Equatable, Sendable {
    case int(Int64)
    case text(String)
    case date(Date)
    /// A BLOB's bytes (the history's rollups).
    case bytes([UInt8])
    case null

    var int: Int64? { if case .int(let v) = self { return v }; return nil }
    var text: String? { if case .text(let v) = self { return v }; return nil }
    var date: Date? { if case .date(let v) = self { return v }; return nil }
    var bytes: [UInt8]? { if case .bytes(let v) = self { return v }; return nil }
}

/// The type a result column is read as.
package enum SQLColumn: Sendable {
    case int
    case text
    case date
    case bytes
}

/// One parameter's values for every row of an array-bound execution (MariaDBStatement.executeBulk).
package enum SQLColumnValues: Sendable {
    case ints([Int64])
    /// BLOBs.
    case bytes([[UInt8]])

    var count: Int {
        switch self {
        case .ints(let values): values.count
        case .bytes(let values): values.count
        }
    }
}
