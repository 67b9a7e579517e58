// A prepared statement over libmariadb: binds typed parameters (never interpolated into SQL), executes (once, or
// once per row of column-wise arrays in one bulk execution), and reads typed rows. The C buffers of one execution are freed when it returns, on every path, so a statement may
// be executed again (MariaDBConnection keeps the batched UPDATE prepared).
import CMariaDB
import Encoding
import Foundation
import Glibc

final class MariaDBStatement {
    private unowned let connection: MariaDBConnection
    private let statement: UnsafeMutablePointer<MYSQL_STMT>
    private var allocations: [UnsafeMutableRawPointer] = []
    /// Text result cells larger than this are read in full with mysql_stmt_fetch_column.
    private static let textBufferSize = 4096

    init(connection: MariaDBConnection, mysql: UnsafeMutablePointer<MYSQL>, sql: String) throws {
        self.connection = connection
        guard let statement = mysql_stmt_init(mysql) else {
            throw connection.failure(errno: mysql_errno(mysql), message: String(cString: mysql_error(mysql)))
        }
        self.statement = statement
        if mysql_stmt_prepare(statement, sql, UInt(sql.utf8.count)) != 0 {
            // Read the error, close the statement, and only then map the error (which closes a broken connection).
            // deinit runs after a throwing init too: it must not close the statement a second time.
            let code = mysql_stmt_errno(statement)
            let message = String(cString: mysql_stmt_error(statement))
            mysql_stmt_close(statement)
            isClosed = true
            throw connection.failure(errno: code, message: message)
        }
    }

    /// True once the statement was closed in init (a failed prepare).
    private var isClosed = false

    deinit {
        if !isClosed { mysql_stmt_close(statement) }
        releaseAllocations()
    }

    /// Frees the buffers of the execution that just ended.
    private func releaseAllocations() {
        for pointer in allocations { pointer.deallocate() }
        allocations.removeAll(keepingCapacity: true)
    }

    private func currentError() -> Error {
        connection.failure(errno: mysql_stmt_errno(statement), message: String(cString: mysql_stmt_error(statement)))
    }

    private func allocate(_ byteCount: Int) -> UnsafeMutableRawPointer {
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 16)
        allocations.append(pointer)
        return pointer
    }

    func execute(_ parameters: [SQLValue]) throws -> (affectedRows: UInt64, insertID: UInt64) {
        defer { releaseAllocations() }
        try bindAndExecute(parameters)
        return (mysql_stmt_affected_rows(statement), mysql_stmt_insert_id(statement))
    }

    /// Executes the statement once for each of `rows` rows of parameters, bound column-wise (MariaDB's array
    /// binding): one COM_STMT_BULK_EXECUTE, whatever the number of rows. Needs a MariaDB server (10.2 or later):
    /// MariaDBConnection.supportsBulk says.
    func executeBulk(_ columns: [SQLColumnValues], rows: Int) throws -> UInt64 {
        defer { releaseAllocations() }
        guard Int(mysql_stmt_param_count(statement)) == columns.count, columns.allSatisfy({ $0.count == rows }), rows > 0
        else { throw StoreError.failed("bulk statement takes \(mysql_stmt_param_count(statement)) columns of \(rows) rows") }
        var binds = [MYSQL_BIND](repeating: MYSQL_BIND(), count: columns.count)
        for (index, column) in columns.enumerated() {
            switch column {
            case .ints(let values):
                let buffer = allocate(MemoryLayout<Int64>.stride * rows).bindMemory(to: Int64.self, capacity: rows)
                for (row, value) in values.enumerated() { buffer[row] = value }
                binds[index].buffer_type = MYSQL_TYPE_LONGLONG
                binds[index].buffer = UnsafeMutableRawPointer(buffer)
            case .bytes(let values):
                let total = values.reduce(0) { $0 + $1.count }
                let data = allocate(total)
                let pointers = allocate(MemoryLayout<UnsafeMutableRawPointer>.stride * rows)
                    .bindMemory(to: UnsafeMutableRawPointer.self, capacity: rows)
                let lengths = allocate(MemoryLayout<UInt>.stride * rows).bindMemory(to: UInt.self, capacity: rows)
                var offset = 0
                for (row, value) in values.enumerated() {
                    value.withUnsafeBytes { bytes in
                        if let base = bytes.baseAddress { (data + offset).copyMemory(from: base, byteCount: bytes.count) }
                    }
                    pointers[row] = data + offset
                    lengths[row] = UInt(value.count)
                    offset += value.count
                }
                binds[index].buffer_type = MYSQL_TYPE_BLOB
                binds[index].buffer = UnsafeMutableRawPointer(pointers)
                binds[index].length = lengths
            }
        }
        var size = UInt32(rows)
        if mysql_stmt_attr_set(statement, STMT_ATTR_ARRAY_SIZE, &size) != 0 { throw currentError() }
        if mysql_stmt_bind_param(statement, &binds) != 0 { throw currentError() }
        if mysql_stmt_execute(statement) != 0 { throw currentError() }
        return mysql_stmt_affected_rows(statement)
    }

    func query(_ parameters: [SQLValue], columns: [SQLColumn]) throws -> [[SQLValue]] {
        defer { releaseAllocations() }
        try bindAndExecute(parameters)
        guard Int(mysql_stmt_field_count(statement)) == columns.count else {
            throw StoreError.failed("query returned \(mysql_stmt_field_count(statement)) columns, expected \(columns.count)")
        }
        if mysql_stmt_store_result(statement) != 0 { throw currentError() }
        defer { mysql_stmt_free_result(statement) }

        var binds = [MYSQL_BIND](repeating: MYSQL_BIND(), count: columns.count)
        let lengths = allocate(MemoryLayout<UInt>.stride * columns.count).bindMemory(to: UInt.self, capacity: columns.count)
        let nulls = allocate(columns.count).bindMemory(to: my_bool.self, capacity: columns.count)
        for (index, column) in columns.enumerated() {
            lengths[index] = 0
            nulls[index] = 0
            binds[index].length = lengths + index
            binds[index].is_null = nulls + index
            switch column {
            case .int:
                binds[index].buffer_type = MYSQL_TYPE_LONGLONG
                binds[index].buffer = allocate(8)
                binds[index].buffer_length = 8
            case .text, .bytes:
                binds[index].buffer_type = column == .text ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB
                binds[index].buffer = allocate(Self.textBufferSize)
                binds[index].buffer_length = UInt(Self.textBufferSize)
            case .date:
                binds[index].buffer_type = MYSQL_TYPE_DATETIME
                binds[index].buffer = allocate(MemoryLayout<MYSQL_TIME>.stride)
                binds[index].buffer_length = UInt(MemoryLayout<MYSQL_TIME>.stride)
            }
        }
        if mysql_stmt_bind_result(statement, &binds) != 0 { throw currentError() }

        var rows: [[SQLValue]] = []
        while true {
            let status = mysql_stmt_fetch(statement)
            if status == MYSQL_NO_DATA { break }
            if status == 1 { throw currentError() }
            var row: [SQLValue] = []
            row.reserveCapacity(columns.count)
            for (index, column) in columns.enumerated() {
                if nulls[index] != 0 { row.append(.null); continue }
                guard let buffer = binds[index].buffer else { row.append(.null); continue }
                switch column {
                case .int:
                    row.append(.int(buffer.load(as: Int64.self)))
                case .text:
                    row.append(.text(String(decoding: try readBytes(column: index, buffer: buffer,
                                                                    length: Int(lengths[index]), type: MYSQL_TYPE_STRING),
                                            as: UTF8.self)))
                case .bytes:
                    row.append(.bytes(try readBytes(column: index, buffer: buffer, length: Int(lengths[index]),
                                                    type: MYSQL_TYPE_BLOB)))
                case .date:
                    row.append(.date(Self.date(from: buffer.load(as: MYSQL_TIME.self))))
                }
            }
            rows.append(row)
        }
        return rows
    }

    /// A text or BLOB cell; one longer than the bound buffer (status MYSQL_DATA_TRUNCATED) is fetched again in full.
    private func readBytes(column: Int, buffer: UnsafeMutableRawPointer, length: Int,
                           type: enum_field_types) throws -> [UInt8] {
        if length <= Self.textBufferSize {
            return Array(UnsafeRawBufferPointer(start: buffer, count: length))
        }
        let full = allocate(length)
        let actual = allocate(MemoryLayout<UInt>.stride).bindMemory(to: UInt.self, capacity: 1)
        actual.pointee = 0
        var bind = MYSQL_BIND()
        bind.buffer_type = type
        bind.buffer = full
        bind.buffer_length = UInt(length)
        bind.length = actual
        let status = mysql_stmt_fetch_column(statement, &bind, UInt32(column), 0)
        if status != 0 { throw currentError() }
        return Array(UnsafeRawBufferPointer(start: full, count: min(length, Int(actual.pointee))))
    }

    private func bindAndExecute(_ parameters: [SQLValue]) throws {
        guard Int(mysql_stmt_param_count(statement)) == parameters.count else {
            throw StoreError.failed("statement takes \(mysql_stmt_param_count(statement)) parameters, got \(parameters.count)")
        }
        if !parameters.isEmpty {
            // Every value in one buffer, then the text lengths: a batched UPDATE binds 3 values per check.
            let valueBytes = parameters.reduce(0) { $0 + Self.bufferSize(of: $1) }
            let storage = allocate(valueBytes + MemoryLayout<UInt>.stride * parameters.count)
            let lengths = (storage + valueBytes).bindMemory(to: UInt.self, capacity: parameters.count)
            var offset = 0
            var binds = [MYSQL_BIND](repeating: MYSQL_BIND(), count: parameters.count)
            for (index, parameter) in parameters.enumerated() {
                let buffer = storage + offset
                offset += Self.bufferSize(of: parameter)
                lengths[index] = 0
                switch parameter {
                case .int(let value):
                    buffer.storeBytes(of: value, as: Int64.self)
                    binds[index].buffer_type = MYSQL_TYPE_LONGLONG
                    binds[index].buffer = buffer
                case .text, .bytes:
                    let copy = { (bytes: UnsafeRawBufferPointer) -> Int in
                        if let base = bytes.baseAddress { buffer.copyMemory(from: base, byteCount: bytes.count) }
                        return bytes.count
                    }
                    var text = parameter.text ?? ""
                    let count = parameter.bytes.map { $0.withUnsafeBytes(copy) } ?? text.withUTF8 { copy(UnsafeRawBufferPointer($0)) }
                    lengths[index] = UInt(count)
                    binds[index].buffer_type = parameter.bytes == nil ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB
                    binds[index].buffer = buffer
                    binds[index].buffer_length = UInt(count)
                    binds[index].length = lengths + index
                case .date(let value):
                    try StoredTime.check(value)
                    buffer.storeBytes(of: Self.time(from: value), as: MYSQL_TIME.self)
                    binds[index].buffer_type = MYSQL_TYPE_DATETIME
                    binds[index].buffer = buffer
                case .null:
                    binds[index].buffer_type = MYSQL_TYPE_NULL
                }
            }
            if mysql_stmt_bind_param(statement, &binds) != 0 { throw currentError() }
        }
        if mysql_stmt_execute(statement) != 0 { throw currentError() }
    }

    /// The bytes a parameter takes in the values buffer, a multiple of 8 (so every value is aligned).
    private static func bufferSize(of parameter: SQLValue) -> Int {
        let bytes: Int
        switch parameter {
        case .int: bytes = MemoryLayout<Int64>.size
        case .text(let value): bytes = value.utf8.count
        case .date: bytes = MemoryLayout<MYSQL_TIME>.size
        case .null: bytes = 0
        case .bytes(let value): bytes = value.count
        }
        return (bytes + 7) & ~7
    }

    /// A UTC date as MYSQL_TIME, to the millisecond (the columns are DATETIME(3)).
    static func time(from date: Date) -> MYSQL_TIME {
        let milliseconds = date.unixMilliseconds
        var seconds = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var value = MYSQL_TIME()
        value.year = UInt32(parts.tm_year + 1900)
        value.month = UInt32(parts.tm_mon + 1)
        value.day = UInt32(parts.tm_mday)
        value.hour = UInt32(parts.tm_hour)
        value.minute = UInt32(parts.tm_min)
        value.second = UInt32(parts.tm_sec)
        value.second_part = UInt(milliseconds - Int64(seconds) * 1000) * 1000
        value.time_type = MYSQL_TIMESTAMP_DATETIME
        return value
    }

    static func date(from value: MYSQL_TIME) -> Date {
        var parts = tm()
        parts.tm_year = Int32(value.year) - 1900
        parts.tm_mon = Int32(value.month) - 1
        parts.tm_mday = Int32(value.day)
        parts.tm_hour = Int32(value.hour)
        parts.tm_min = Int32(value.minute)
        parts.tm_sec = Int32(value.second)
        let seconds = timegm(&parts)
        return Date(timeIntervalSince1970: Double(seconds) + Double(value.second_part / 1000) / 1000)
    }
}
