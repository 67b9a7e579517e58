// Where the database is and how to log in: built from MYSQL_* variables, used by the MariaDB store.

public struct DatabaseConfiguration: Equatable, Sendable {
    public var host: String
    public var port: UInt16
    /// When set, connect through this Unix socket instead of host and port.
    public var unixSocket: String?
    public var user: String
    public var password: String?
    public var database: String

    public init(host: String = "127.0.0.1", port: UInt16 = 3306, unixSocket: String? = nil,
                user: String = "status", password: String? = nil, database: String = "status") {
        self.host = host
        self.port = port
        self.unixSocket = unixSocket
        self.user = user
        self.password = password
        self.database = database
    }
}
