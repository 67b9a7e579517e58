// One connection to MariaDB over libmariadb: connect, plain DDL, prepared statements, transactions, and the
// mapping of client/server error codes to StoreError (unavailable → retry later; duplicate key; other).
import CMariaDB
import Foundation
import Glibc

/// A unique index refused a row (ER_DUP_ENTRY); the store decides what that means.
struct DuplicateKeyError: Error {
    let message: String
}

/// The server rolled the transaction back for a conflict with another (ER_LOCK_DEADLOCK, 1213): `transaction`
/// runs it again.
struct TransactionConflict: Error {
    let message: String
}

final class MariaDBConnection {
    private let configuration: DatabaseConfiguration
    private var handle: UnsafeMutablePointer<MYSQL>?
    /// Statements kept prepared for `execute(reusing:)`, by their SQL (gone with the connection).
    private var prepared: [String: MariaDBStatement] = [:]
    /// Their SQL, least recently used first: beyond `mostPrepared` the first is closed.
    private var preparedUse: [String] = []
    /// The most statements kept prepared on one connection (each holds a little memory on the server).
    static let mostPrepared = 16

    init(configuration: DatabaseConfiguration) {
        self.configuration = configuration
    }

    deinit { close() }

    var isOpen: Bool { handle != nil }

    /// Connects if not connected, to the first of the configured servers that answers, starting with the one
    /// used last (after a broken connection, the one after it). Times out after 5 s per server; reads and writes
    /// after 10 s.
    func open() throws -> UnsafeMutablePointer<MYSQL> {
        if let handle { return handle }
        var reasons: [String] = []
        for attempt in 0..<serverCount {
            let index = (current + attempt) % serverCount
            do {
                let mysql = try connect(to: index)
                current = index
                return mysql
            } catch StoreError.unavailable(let why) {
                reasons.append(why)
            }
        }
        throw StoreError.unavailable(reasons.joined(separator: "; "))
    }

    /// The server in use, or to try first: an index into the configuration's endpoints.
    private var current = 0
    /// A Unix socket is one server, whatever the endpoints say.
    private var serverCount: Int { configuration.unixSocket == nil ? max(configuration.endpoints.count, 1) : 1 }

    private func connect(to index: Int) throws -> UnsafeMutablePointer<MYSQL> {
        guard let mysql = mysql_init(nil) else { throw StoreError.unavailable("mysql_init: out of memory") }
        var connectTimeout: UInt32 = 5
        var ioTimeout: UInt32 = 10
        mysql_options(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout)
        mysql_options(mysql, MYSQL_OPT_READ_TIMEOUT, &ioTimeout)
        mysql_options(mysql, MYSQL_OPT_WRITE_TIMEOUT, &ioTimeout)
        mysql_options(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4")
        let c = configuration
        let endpoint = c.endpoints[index]
        let socket = c.unixSocket ?? endpoint.socket
        let connected = mysql_real_connect(mysql, socket == nil ? endpoint.host : nil, c.user, c.password,
                                           c.database, UInt32(endpoint.port), socket, 0)
        guard connected != nil else {
            let message = "cannot connect to \(place(index)): \(String(cString: mysql_error(mysql)))"
            mysql_close(mysql)
            throw StoreError.unavailable(message)
        }
        handle = mysql
        do {
            try run("SET time_zone = '+00:00'")
            try run("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'")
            try causalReads(mysql)
        } catch {
            close()
            throw error
        }
        return mysql
    }

    /// On Galera, a read waits until this node has applied every write the cluster committed before it, so a
    /// probe never decides from a node's late copy (another probe's heartbeat, an incident just opened through
    /// another node). Without Galera there is nothing to wait for; a server without the variable (MySQL, error
    /// 1193) is left as it is.
    private func causalReads(_ mysql: UnsafeMutablePointer<MYSQL>) throws {
        let sql = "SET SESSION wsrep_sync_wait = 1"
        guard mysql_real_query(mysql, sql, UInt(sql.utf8.count)) != 0 else { return }
        let code = mysql_errno(mysql)
        guard code != 1193 else { return }
        throw failure(errno: code, message: String(cString: mysql_error(mysql)))
    }

    private func place(_ index: Int) -> String {
        configuration.unixSocket.map { "socket \($0)" } ?? configuration.endpoints[index].description
    }

    /// Where the connection goes (or went last), for messages and logs.
    var serverDescription: String { place(current) }

    func close() {
        prepared.removeAll()
        preparedUse.removeAll()
        if let handle { mysql_close(handle) }
        handle = nil
    }

    /// Runs a statement without parameters (schema DDL, session settings). Never used with outside data.
    func run(_ sql: String) throws {
        let mysql = try open()
        if mysql_real_query(mysql, sql, UInt(sql.utf8.count)) != 0 {
            throw failure(errno: mysql_errno(mysql), message: String(cString: mysql_error(mysql)))
        }
        if let result = mysql_store_result(mysql) { mysql_free_result(result) }
    }

    /// Executes a prepared statement with bound parameters; returns affected rows and the last insert id.
    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue] = []) throws -> (affectedRows: UInt64, insertID: UInt64) {
        let statement = try MariaDBStatement(connection: self, mysql: try open(), sql: sql)
        return try statement.execute(parameters)
    }

    /// Like `execute`, but the statement stays prepared for the next call with the same SQL (on this connection):
    /// for a statement run again and again, which the server would otherwise parse every time, in a round trip
    /// of its own. A failed statement is not kept.
    @discardableResult
    func execute(reusing sql: String, _ parameters: [SQLValue]) throws -> (affectedRows: UInt64, insertID: UInt64) {
        try withPrepared(sql) { try $0.execute(parameters) }
    }

    /// Runs `body` with the statement kept prepared for `sql`, preparing it the first time; kept again only if it
    /// succeeded and the connection is still open, as the most recently used of at most `mostPrepared`.
    private func withPrepared<T>(_ sql: String, _ body: (MariaDBStatement) throws -> T) throws -> T {
        let mysql = try open()
        let statement = try prepared[sql] ?? MariaDBStatement(connection: self, mysql: mysql, sql: sql)
        prepared[sql] = nil
        preparedUse.removeAll { $0 == sql }
        let result = try body(statement)
        guard handle != nil else { return result }
        prepared[sql] = statement
        preparedUse.append(sql)
        while preparedUse.count > Self.mostPrepared { prepared[preparedUse.removeFirst()] = nil }
        return result
    }

    /// How many statements are kept prepared (for tests).
    var preparedCount: Int { prepared.count }

    /// Executes a prepared statement for each row of column-wise parameters in one bulk execution; returns the
    /// affected rows. Only when `supportsBulk`. The statement stays prepared, as with `execute(reusing:)`: a bulk
    /// statement's SQL does not depend on the number of rows.
    @discardableResult
    func executeBulk(_ sql: String, _ columns: [SQLColumnValues], rows: Int) throws -> UInt64 {
        try withPrepared(sql) { try $0.executeBulk(columns, rows: rows) }
    }

    /// Whether the server takes bulk (array-bound) executions: MariaDB 10.2 and later, not MySQL. Connects.
    func supportsBulk() throws -> Bool {
        let mysql = try open()
        var basic: UInt = 0       // both unsigned long in libmariadb
        var extended: UInt = 0
        guard mariadb_get_info(mysql, MARIADB_CONNECTION_SERVER_CAPABILITIES, &basic) == 0,
              mariadb_get_info(mysql, MARIADB_CONNECTION_EXTENDED_SERVER_CAPABILITIES, &extended) == 0 else { return false }
        // CLIENT_MYSQL (1) is set by MySQL servers; the extended flags are MariaDB's capabilities shifted down by 32.
        return basic & 1 == 0 && UInt64(extended) & (UInt64(MARIADB_CLIENT_STMT_BULK_OPERATIONS) >> 32) != 0
    }

    /// Runs a prepared query and reads every row as `columns`.
    func query(_ sql: String, _ parameters: [SQLValue] = [], columns: [SQLColumn]) throws -> [[SQLValue]] {
        let statement = try MariaDBStatement(connection: self, mysql: try open(), sql: sql)
        return try statement.query(parameters, columns: columns)
    }

    /// Like `query`, but the statement stays prepared for the next call with the same SQL: for a query a daemon
    /// runs every few seconds, one round trip instead of two.
    func query(reusing sql: String, _ parameters: [SQLValue] = [], columns: [SQLColumn]) throws -> [[SQLValue]] {
        try withPrepared(sql) { try $0.query(parameters, columns: columns) }
    }

    /// Runs `write` over slices of at most `size` of `items`, in one transaction when there is more than one
    /// slice, so that all of them are stored or none.
    func inBatches<Element>(_ items: [Element], of size: Int, _ write: (ArraySlice<Element>) throws -> Void) throws {
        try transaction(if: items.count > size) {
            var start = 0
            while start < items.count {
                let batch = items[start..<min(start + size, items.count)]
                start += batch.count
                try write(batch)
            }
        }
    }

    /// Runs `body` in a transaction when `needed` (a single statement is one already), else as it is.
    func transaction<T>(if needed: Bool, _ body: () throws -> T) throws -> T {
        needed ? try transaction(body) : try body()
    }

    /// Runs `body` in a transaction: commit on success, rollback on any error. A transaction the server aborted
    /// for a conflict with another one (a deadlock, or a Galera certification failure at commit: error 1213) is
    /// run again from the start, up to `conflictAttempts` times with a short random pause; `body` must therefore
    /// have no effect outside the database before it returns. Nested calls join the outer transaction.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        if inTransaction { return try body() }
        var attempt = 1
        while true {
            do {
                try run("START TRANSACTION")
                inTransaction = true
                defer { inTransaction = false }
                do {
                    let value = try body()
                    try run("COMMIT")
                    return value
                } catch {
                    if handle != nil { try? run("ROLLBACK") }
                    throw error
                }
            } catch let conflict as TransactionConflict {
                guard attempt < Self.conflictAttempts else {
                    throw StoreError.unavailable("\(conflict.message), \(attempt) times in a row")
                }
                conflicts += 1
                attempt += 1
                usleep(UInt32.random(in: 2_000...20_000) * UInt32(attempt))
            }
        }
    }

    static let conflictAttempts = 5
    private var inTransaction = false
    /// Transactions run again after a conflict, since the connection was made (for tests and logs).
    private(set) var conflicts = 0

    /// Maps an error code to a StoreError, dropping the connection when it is broken so the next call reconnects.
    func failure(errno code: UInt32, message: String) -> Error {
        switch code {
        case 1062:
            return DuplicateKeyError(message: message)
        case 1213 where inTransaction:
            return TransactionConflict(message: "\(message) (error \(code))")
        case 1213:    // a single statement: Galera already retried it (wsrep_retry_autocommit); try again later
            return StoreError.unavailable("\(message) (error \(code))")
        case 2000...2999, 1040, 1047, 1053, 1077, 1152, 1158...1161, 1205, 1927, 4031:
            // 1047: a Galera node outside the primary component ("WSREP has not yet prepared node for
            // application use"): the next connection goes to another server.
            let failed = current
            close()
            current = (current + 1) % serverCount
            return StoreError.unavailable("\(message) (error \(code), \(place(failed)))")
        default:
            return StoreError.failed("\(message) (error \(code))")
        }
    }
}
