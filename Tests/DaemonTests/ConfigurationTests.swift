// Configuration from the environment: every variable's default, accepted forms, and each bad value's error.
import Testing
@testable import Daemon
import Encoding
import HostFile
import Logging
import Platform
import Monitor
import Storage
import Webhooks

@Suite struct ConfigurationTests {
    let base = ["MONITORING_HOSTS": "nas.lan,192.0.2.10,::1,[2001:db8::5]"]

    func parse(_ extra: [String: String], files: [String: String] = [:]) throws -> Configuration {
        try Configuration.fromEnvironment(base.merging(extra) { $1 }) { path in
            guard let text = files[path] else { throw ConfigurationError("test", path, "no such file") }
            return text
        }
    }

    @Test func defaultsMatchTheContract() throws {
        let config = try parse([:])
        #expect(config.hosts.map(\.domain) == ["nas.lan", "192.0.2.10", "::1", "[2001:db8::5]"])
        #expect(config.interval.nanoseconds == 30_000_000_000)
        #expect(config.timeout.nanoseconds == 1_000_000_000)
        #expect(config.failureThreshold == 3)
        #expect(config.recoveryThreshold == 1)
        #expect(config.database == DatabaseConfiguration(host: "127.0.0.1", port: 3306, unixSocket: nil,
                                                         user: "status", password: nil, database: "status"))
        #expect(config.listen.description == "0.0.0.0:8080")
        #expect(config.corsAllowOrigin == "*")
    }

    @Test(arguments: [
        ("30", 30_000_000_000), ("2.5", 2_500_000_000), ("500ms", 500_000_000), ("10s", 10_000_000_000),
        ("1m", 60_000_000_000), ("1h", 3_600_000_000_000), (" 10S ", 10_000_000_000),
    ] as [(String, UInt64)])
    func intervalForms(text: String, nanoseconds: UInt64) throws {
        #expect(try parse(["MONITORING_INTERVAL": text]).interval.nanoseconds == nanoseconds)
    }

    @Test func hostKinds() throws {
        let hosts = try parse([:]).hosts
        #expect(hosts[0].target == .name("nas.lan"))
        #expect(hosts[1].target == .address(SocketAddress(ipLiteral: "192.0.2.10")!))
        #expect(hosts[2].target == .address(SocketAddress(ipLiteral: "::1")!))
        #expect(hosts[3].target == .address(SocketAddress(ipLiteral: "2001:db8::5")!))
        #expect(hosts[3].lookupKey == "2001:db8::5")
    }

    @Test func timeoutDefaultsToTheIntervalWhenTheIntervalIsShorter() throws {
        #expect(try parse(["MONITORING_INTERVAL": "500ms"]).timeout.nanoseconds == 500_000_000)
    }

    @Test func databaseAndListenVariables() throws {
        let config = try parse([
            "MYSQL_HOST": "db", "MYSQL_PORT": "3307", "MYSQL_USER": "u", "MYSQL_PASSWORD_FILE": "/run/secrets/pw",
            "MYSQL_DATABASE": "mon", "MYSQL_UNIX_SOCKET": "/tmp/s.sock", "LISTEN_ADDR": "[::]:9000",
            "CORS_ALLOW_ORIGIN": "", "LOG_LEVEL": "debug",
        ], files: ["/run/secrets/pw": "s3cret\n"])
        #expect(config.database == DatabaseConfiguration(host: "db", port: 3307, unixSocket: "/tmp/s.sock",
                                                         user: "u", password: "s3cret", database: "mon"))
        #expect(config.listen.description == "[::]:9000")
        #expect(config.corsAllowOrigin == nil)
        #expect(config.logLevel == .debug)
        #expect(try parse(["MYSQL_PASSWORD": "pw"]).database.password == "pw")
        #expect(try parse(["LISTEN_ADDR": ":8081"]).listen.description == "0.0.0.0:8081")
    }

    @Test func severalDatabaseServersAreTriedInTheOrderGiven() throws {
        let config = try parse(["MYSQL_HOSTS": "db1:3307, db2,[2001:db8::5]:3310,[2001:db8::6]", "MYSQL_PORT": "3308"])
        #expect(config.database.endpoints == [
            DatabaseEndpoint(host: "db1", port: 3307), DatabaseEndpoint(host: "db2", port: 3308),
            DatabaseEndpoint(host: "2001:db8::5", port: 3310), DatabaseEndpoint(host: "2001:db8::6", port: 3308),
        ])
        #expect(config.database.host == "db1")
        #expect(config.database.endpoints[2].description == "[2001:db8::5]:3310")
        #expect(try parse([:]).database.endpoints == [DatabaseEndpoint(host: "127.0.0.1", port: 3306)])
        #expect(try parse(["MYSQL_HOSTS": "/run/n1.sock,db2:3307"]).database.endpoints
            == [DatabaseEndpoint(socket: "/run/n1.sock"), DatabaseEndpoint(host: "db2", port: 3307)])
        #expect(throws: ConfigurationError.self) { try parse(["MYSQL_HOSTS": "a:1", "MYSQL_HOST": "b"]) }
    }

    /// Each bad value is refused with an error naming its variable.
    @Test(arguments: [
        ("MONITORING_HOSTS", ""), ("MONITORING_HOSTS", " , "), ("MONITORING_HOSTS", "http://nas.lan"),
        ("MONITORING_HOSTS", "nas lan"), ("MONITORING_HOSTS", "-bad.lan"), ("MONITORING_HOSTS", "300.1.1.1"),
        ("MONITORING_HOSTS", "a.lan,a.lan"), ("MONITORING_HOSTS", "::1,[::1]"), ("MONITORING_HOSTS", "ünï.lan"),
        ("MONITORING_HOSTS", "[192.0.2.1]"), ("MONITORING_HOSTS", String(repeating: "a", count: 64) + ".lan"),
        ("MONITORING_INTERVAL", "abc"), ("MONITORING_INTERVAL", "-1"), ("MONITORING_INTERVAL", "0"),
        ("MONITORING_INTERVAL", "5ms"), ("MONITORING_INTERVAL", "1.2.3"), ("MONITORING_INTERVAL", "10 s"),
        ("MONITORING_INTERVAL", "2d"), ("MONITORING_TIMEOUT", "0"), ("MONITORING_TIMEOUT", "31s"),
        ("MONITORING_TIMEOUT", "soon"), ("MONITORING_FAILURE_THRESHOLD", "0"), ("MONITORING_FAILURE_THRESHOLD", "2.5"),
        ("MONITORING_FAILURE_THRESHOLD", "-3"), ("MONITORING_RECOVERY_THRESHOLD", "x"), ("MYSQL_PORT", "0"),
        ("MYSQL_PORT", "70000"), ("MYSQL_PORT", "http"), ("MYSQL_HOST", ""), ("MYSQL_USER", ""),
        ("MYSQL_HOSTS", ""), ("MYSQL_HOSTS", "db1:3306,"), ("MYSQL_HOSTS", "db1:0"), ("MYSQL_HOSTS", "db1:x"),
        ("MYSQL_HOSTS", "[::1]x"), ("MYSQL_HOSTS", "a b:3306"),
        ("MYSQL_DATABASE", ""), ("MYSQL_PASSWORD_FILE", "/missing"), ("LISTEN_ADDR", "8080"),
        ("LISTEN_ADDR", "localhost:http"), ("LISTEN_ADDR", "::1:8080"), ("LISTEN_ADDR", "0.0.0.0:99999"),
        ("LOG_LEVEL", "loud"),
    ] as [(String, String)])
    func badValueNamesItsVariable(variable: String, value: String) {
        do {
            _ = try parse([variable: value])
            Issue.record("\(variable)=\(value) was accepted")
        } catch let error as ConfigurationError {
            #expect(error.variable == variable)
            #expect(error.description.hasPrefix(variable))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func missingHostListIsAnError() {
        #expect(throws: ConfigurationError.self) { try Configuration.fromEnvironment([:]) }
    }

    @Test func passwordAndPasswordFileTogetherAreRefused() {
        #expect(throws: ConfigurationError.self) {
            try parse(["MYSQL_PASSWORD": "a", "MYSQL_PASSWORD_FILE": "/run/secrets/pw"], files: ["/run/secrets/pw": "b"])
        }
    }

    @Test func durationsPrintForPeople() {
        #expect(ConfigDuration(nanoseconds: 1_000_000_000).description == "1s")
        #expect(ConfigDuration(nanoseconds: 500_000_000).description == "500ms")
        #expect(ConfigDuration(nanoseconds: 2_500_000_000).description == "2.5s")
    }

    @Test func aReloadedFileKeepsTheVariablesHostsAndIsValidatedWithThem() throws {
        let config = try parse([:])
        let hosts = try config.hosts(withFile: "192.0.2.1 name=\"Router\"\n192.0.2.20 name=\"Printer\" parent=192.0.2.1\n")
        #expect(hosts.map(\.domain) == ["nas.lan", "192.0.2.10", "::1", "[2001:db8::5]", "192.0.2.1", "192.0.2.20"])
        #expect(hosts.last?.attributes.parents == ["192.0.2.1"])
        #expect(throws: HostFileError.self) { try config.hosts(withFile: "\n192.0.2.10\n") }
        do {
            _ = try config.hosts(withFile: "# two lines\n192.0.2.10\n")
            Issue.record("a host in MONITORING_HOSTS and in the file was accepted")
        } catch {
            #expect(error.line == 2 && error.reason.contains("192.0.2.10"), "\(error)")
        }
    }

    @Test func watchingTheHostFileCanBeTurnedOff() throws {
        #expect(try parse([:]).watchHostsFile)
        #expect(try parse(["MONITORING_HOSTS_FILE_WATCH": "false"]).watchHostsFile == false)
        #expect(try parse(["MONITORING_HOSTS_FILE_WATCH": " On "]).watchHostsFile)
        #expect(throws: ConfigurationError.self) { try parse(["MONITORING_HOSTS_FILE_WATCH": "sometimes"]) }
    }
}
