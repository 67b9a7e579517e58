// A fresh MariaDB database per test, on the server the test command started (STATUS_TEST_MYSQL_* variables).
import Foundation
import Testing
@testable import Storage

package struct TestDatabase {
    package let configuration: DatabaseConfiguration

    /// Creates `status_t_<random>`; fails the test (never skips it) when the server's location is not given.
    package static func create() throws -> TestDatabase {
        let environment = ProcessInfo.processInfo.environment
        guard let socket = environment["STATUS_TEST_MYSQL_SOCKET"] else {
            Issue.record("STATUS_TEST_MYSQL_SOCKET is not set: run the tests with scripts/test, which starts MariaDB")
            throw StoreError.unavailable("no test database")
        }
        var base = DatabaseConfiguration(unixSocket: socket, user: environment["STATUS_TEST_MYSQL_USER"] ?? "status",
                                         password: environment["STATUS_TEST_MYSQL_PASSWORD"],
                                         database: environment["STATUS_TEST_MYSQL_DATABASE"] ?? "status_test")
        let name = "status_t_\(UInt32.random(in: 0...UInt32.max))"
        let admin = MariaDBConnection(configuration: base)
        try admin.run("CREATE DATABASE `\(name)`")
        admin.close()
        base.database = name
        return TestDatabase(configuration: base)
    }

    package func drop() {
        let admin = MariaDBConnection(configuration: configuration)
        try? admin.run("DROP DATABASE IF EXISTS `\(configuration.database)`")
        admin.close()
    }
}
