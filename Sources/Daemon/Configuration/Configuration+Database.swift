// The MYSQL_* variables: where the database is (one server, several in MYSQL_HOSTS, or a Unix socket) and how
// to log in.
import Foundation
import Storage

extension Configuration {
    static func parseDatabase(_ environment: [String: String], readFile: (String) throws -> String) throws -> DatabaseConfiguration {
        var database = DatabaseConfiguration()
        if let host = environment["MYSQL_HOST"] {
            guard !host.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ConfigurationError("MYSQL_HOST", host, "must not be empty")
            }
            database.host = host.trimmingCharacters(in: .whitespaces)
        }
        if let port = environment["MYSQL_PORT"] {
            guard let number = UInt16(port.trimmingCharacters(in: .whitespaces)), number > 0 else {
                throw ConfigurationError("MYSQL_PORT", port, "must be a port number from 1 to 65535")
            }
            database.port = number
        }
        if let list = environment["MYSQL_HOSTS"] {
            if environment["MYSQL_HOST"] != nil {
                throw ConfigurationError("MYSQL_HOSTS", list, "set either MYSQL_HOST or MYSQL_HOSTS, not both")
            }
            database.endpoints = try parseEndpoints(list, defaultPort: database.port)
        }
        if let socket = environment["MYSQL_UNIX_SOCKET"], !socket.isEmpty {
            database.unixSocket = socket
        }
        if let user = environment["MYSQL_USER"] {
            guard !user.isEmpty else { throw ConfigurationError("MYSQL_USER", user, "must not be empty") }
            database.user = user
        }
        if let name = environment["MYSQL_DATABASE"] {
            guard !name.isEmpty, name.utf8.count <= 64 else {
                throw ConfigurationError("MYSQL_DATABASE", name, "must be 1 to 64 bytes")
            }
            database.database = name
        }
        let password = environment["MYSQL_PASSWORD"]
        let passwordFile = environment["MYSQL_PASSWORD_FILE"]
        if password != nil, let passwordFile {
            throw ConfigurationError("MYSQL_PASSWORD_FILE", passwordFile, "set either MYSQL_PASSWORD or MYSQL_PASSWORD_FILE, not both")
        }
        if let passwordFile {
            do {
                var text = try readFile(passwordFile)
                while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
                database.password = text
            } catch {
                throw ConfigurationError("MYSQL_PASSWORD_FILE", passwordFile, "cannot be read: \(error.localizedDescription)")
            }
        } else {
            database.password = password
        }
        return database
    }

    /// `host[:port],host[:port],…` (an IPv6 address in brackets when it has a port; a path starting with `/` is a
    /// Unix socket): the servers to try in turn.
    static func parseEndpoints(_ list: String, defaultPort: UInt16) throws -> [DatabaseEndpoint] {
        var endpoints: [DatabaseEndpoint] = []
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            let text = item.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("/") {
                endpoints.append(DatabaseEndpoint(socket: text))
                continue
            }
            var host = text
            var port = defaultPort
            if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
                host = String(text[text.index(after: text.startIndex)..<close])
                let rest = text[text.index(after: close)...]
                if !rest.isEmpty {
                    guard rest.hasPrefix(":"), let number = UInt16(rest.dropFirst()), number > 0 else {
                        throw ConfigurationError("MYSQL_HOSTS", list, "\"\(text)\" must be host:port, [ipv6]:port or host")
                    }
                    port = number
                }
            } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
                host = String(text[..<colon])
                guard let number = UInt16(text[text.index(after: colon)...]), number > 0 else {
                    throw ConfigurationError("MYSQL_HOSTS", list, "\"\(text)\" has no port number from 1 to 65535")
                }
                port = number
            }
            guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else {
                throw ConfigurationError("MYSQL_HOSTS", list, "\"\(text)\" is not a host name or address")
            }
            endpoints.append(DatabaseEndpoint(host: host, port: port))
        }
        guard !endpoints.isEmpty else { throw ConfigurationError("MYSQL_HOSTS", list, "must list at least one server") }
        return endpoints
    }
}
