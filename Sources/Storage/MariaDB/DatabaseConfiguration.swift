// Where the database is and how to log in: built from MYSQL_* variables, used by the MariaDB store.

package struct DatabaseConfiguration: Equatable, Sendable {
    package var host: String
    package var port: UInt16
    /// When set, connect through this Unix socket instead of host and port.
    package var unixSocket: String?
    package var user: String
    package var password: String?
    package var database: String

    package init(host: String = "127.0.0.1", port: UInt16 = 3306, unixSocket: String? = nil,
                user: String = "status", password: String? = nil, database: String = "status") {
        self.host = host
        self.port = port
        self.unixSocket = unixSocket
        self.user = user
        self.password = password
        self.database = database
    }
}
