// Where the database is and how to log in: built from MYSQL_* variables, used by the MariaDB store. Several
// addresses (MYSQL_HOSTS, e.g. the nodes of a Galera cluster) are tried in turn: a connection that cannot be made
// or that breaks moves on to the next.

/// One database server's address: host and port, or a Unix socket's path.
package struct DatabaseEndpoint: Equatable, Sendable, CustomStringConvertible {
    package var host: String
    package var port: UInt16
    /// When set, the server's Unix socket (host and port are then not used).
    package var socket: String?

    package init(host: String, port: UInt16 = 3306) {
        self.host = host
        self.port = port
    }

    package init(socket: String) {
        self.host = "localhost"
        self.port = 0
        self.socket = socket
    }

    package var description: String {
        if let socket { return "socket \(socket)" }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

package struct DatabaseConfiguration: Equatable, Sendable {
    /// The servers, tried in this order (never empty). With one, `host` and `port` are it.
    package var endpoints: [DatabaseEndpoint]
    /// When set, connect through this Unix socket instead of host and port.
    package var unixSocket: String?
    package var user: String
    package var password: String?
    package var database: String

    package init(host: String = "127.0.0.1", port: UInt16 = 3306, unixSocket: String? = nil,
                user: String = "status", password: String? = nil, database: String = "status") {
        self.endpoints = [DatabaseEndpoint(host: host, port: port)]
        self.unixSocket = unixSocket
        self.user = user
        self.password = password
        self.database = database
    }

    /// The first server's host.
    package var host: String {
        get { endpoints[0].host }
        set { endpoints[0].host = newValue }
    }

    /// The first server's port.
    package var port: UInt16 {
        get { endpoints[0].port }
        set { endpoints[0].port = newValue }
    }
}
