// The daemon's whole configuration, read from environment variables (see CONTRACT.md) and validated: each part's
// own settings (the monitor's, the database's, the webhooks'), built from the variables that name them.
import Consensus
import Encoding
import Foundation
import History
import HostFile
import Logging
import Monitor
import Platform
import Storage
import Webhooks

package struct Configuration: Equatable, Sendable {
    /// MONITORING_HOSTS's hosts, then the host file's.
    package var hosts: [HostSpec]
    /// MONITORING_HOSTS_FILE: read at start, and again on SIGHUP and when it changes (see HostFileReloader).
    package var hostsFile: String?
    /// The hosts from MONITORING_HOSTS alone (a reload keeps them).
    package var variableHosts: [HostSpec] = []
    /// MONITORING_HOSTS_FILE_WATCH: reload when the file changes (inotify); off, only SIGHUP reloads (for file
    /// systems that do not report changes, such as some network and container bind mounts).
    package var watchHostsFile = true
    /// The host file's text as read at start (a change event that leaves it so does not reload).
    package var hostsFileText: String?
    /// TZ: the zone maintenance windows are read in (UTC when unset).
    package var timeZone: TimeZone {
        get { namedTimeZone ?? TimeZone(identifier: "UTC") ?? .current }
        set { namedTimeZone = newValue }
    }
    /// The zone TZ names; nil for UTC, which is made only when asked for: making a zone reads ICU's zone data
    /// (about 1 MB more of the process in memory), and a daemon without maintenance windows never asks.
    private var namedTimeZone: TimeZone?
    package var interval: ConfigDuration
    package var timeout: ConfigDuration
    package var failureThreshold: Int
    package var recoveryThreshold: Int
    package var database: DatabaseConfiguration
    package var listen: SocketAddress
    /// Value of Access-Control-Allow-Origin on every response; nil (CORS_ALLOW_ORIGIN set empty) sends none.
    package var corsAllowOrigin: String?
    package var logLevel: Logger.Level
    /// STATE_DIR: the journal, state.json and the alive file (see Journal).
    package var stateDirectory: String
    /// WEBHOOK_URL, WEBHOOK_URLS and WEBHOOK_FORMAT: who hears about incidents opening and closing.
    package var webhooks: WebhookConfiguration = WebhookConfiguration()
    /// HISTORY_STEP and HISTORY_RETENTION: the latency and loss history's resolutions and how long each is kept.
    package var history = HistoryLadder(step: 60)
    /// PROBE_NAME and MONITORING_QUORUM: this probe among the others on the database.
    package var probe = ProbeSettings(name: "status")

    /// What the monitor is told: hosts, interval, timeout and thresholds.
    package var monitorSettings: MonitorSettings {
        MonitorSettings(hosts: hosts, interval: interval, timeout: timeout, failureThreshold: failureThreshold,
                        recoveryThreshold: recoveryThreshold)
    }

    static let defaultInterval = ConfigDuration(nanoseconds: 30_000_000_000)
    static let defaultTimeout = ConfigDuration(nanoseconds: 1_000_000_000)
    static let minimumInterval = ConfigDuration(nanoseconds: 10_000_000)
    static let maximumInterval = ConfigDuration(nanoseconds: 86_400_000_000_000)

    /// Reads and validates every variable and the host file. `readFile` reads MYSQL_PASSWORD_FILE (injected for
    /// tests). Throws the first `ConfigurationError` found, or the host file's first `HostFileError`.
    package static func fromEnvironment(
        _ environment: [String: String],
        readFile: (String) throws -> String = { try String(contentsOfFile: $0, encoding: .utf8) }
    ) throws -> Configuration {
        let hostsFile = environment["MONITORING_HOSTS_FILE"].map { $0.trimmingCharacters(in: .whitespaces) }
            .flatMap { $0.isEmpty ? nil : $0 }
        let variableHosts = try parseHosts(environment["MONITORING_HOSTS"], required: hostsFile == nil)
        let interval = try parseDuration("MONITORING_INTERVAL", environment["MONITORING_INTERVAL"]) ?? defaultInterval
        guard interval >= minimumInterval, interval <= maximumInterval else {
            throw ConfigurationError("MONITORING_INTERVAL", environment["MONITORING_INTERVAL"],
                                     "must be between \(minimumInterval) and 24h")
        }
        let timeout: ConfigDuration
        if let explicit = try parseDuration("MONITORING_TIMEOUT", environment["MONITORING_TIMEOUT"]) {
            guard explicit.nanoseconds > 0 else {
                throw ConfigurationError("MONITORING_TIMEOUT", environment["MONITORING_TIMEOUT"], "must be more than 0")
            }
            guard explicit <= interval else {
                throw ConfigurationError("MONITORING_TIMEOUT", environment["MONITORING_TIMEOUT"],
                                         "must not be longer than MONITORING_INTERVAL (\(interval))")
            }
            timeout = explicit
        } else {
            timeout = min(defaultTimeout, interval)
        }
        let failureThreshold = try parseCount("MONITORING_FAILURE_THRESHOLD", environment["MONITORING_FAILURE_THRESHOLD"]) ?? 3
        let recoveryThreshold = try parseCount("MONITORING_RECOVERY_THRESHOLD", environment["MONITORING_RECOVERY_THRESHOLD"]) ?? 1
        let database = try parseDatabase(environment, readFile: readFile)
        let listen = try parseListen(environment["LISTEN_ADDR"])
        let cors = environment["CORS_ALLOW_ORIGIN"].map { $0.trimmingCharacters(in: .whitespaces) } ?? "*"
        guard !cors.contains(where: { $0.isNewline || ($0.asciiValue.map { $0 < 32 || $0 == 127 } ?? false) }) else {
            throw ConfigurationError("CORS_ALLOW_ORIGIN", cors, "must not contain control characters")
        }
        let logLevel = try parseLogLevel(environment["LOG_LEVEL"])
        let stateDirectory = environment["STATE_DIR"].map { $0.trimmingCharacters(in: .whitespaces) } ?? "/var/lib/status"
        guard !stateDirectory.isEmpty, !stateDirectory.contains("\0") else {
            throw ConfigurationError("STATE_DIR", environment["STATE_DIR"], "must be a directory path")
        }
        let webhooks = try webhooks(environment)
        var timeZone: TimeZone?
        if !MaintenanceWindow.meansUTC(tz: environment["TZ"]) {
            guard let named = MaintenanceWindow.timeZone(fromTZ: environment["TZ"]) else {
                throw ConfigurationError("TZ", environment["TZ"], "not a time zone (use an IANA name such as Europe/Berlin, or UTC)")
            }
            timeZone = named
        }
        var configuration = Configuration(hosts: variableHosts, interval: interval, timeout: timeout, failureThreshold: failureThreshold,
                             recoveryThreshold: recoveryThreshold, database: database, listen: listen,
                             corsAllowOrigin: cors.isEmpty ? nil : cors, logLevel: logLevel,
                             stateDirectory: stateDirectory, webhooks: webhooks)
        configuration.hostsFile = hostsFile
        configuration.variableHosts = variableHosts
        configuration.namedTimeZone = timeZone
        configuration.history = try parseHistory(environment)
        configuration.probe = try parseProbe(environment)
        configuration.watchHostsFile = try parseSwitch("MONITORING_HOSTS_FILE_WATCH", environment["MONITORING_HOSTS_FILE_WATCH"]) ?? true
        if let hostsFile {
            let text = try HostFile.read(path: hostsFile)
            configuration.hosts = try configuration.hosts(withFile: text)
            configuration.hostsFileText = text
        }
        return configuration
    }

    /// MONITORING_HOSTS's hosts, then those of the host file whose text is `text` (at start, and for a reload).
    package func hosts(withFile text: String) throws(HostFileError) -> [HostSpec] {
        let path = hostsFile ?? "MONITORING_HOSTS_FILE"
        let hosts = variableHosts + (try HostFile.parse(text, path: path, context: HostFile.Context(
            interval: interval, timeout: timeout, timeZone: timeZone, otherHosts: Set(variableHosts.map(\.lookupKey)))))
        guard !hosts.isEmpty else { throw HostFileError(path: path, line: 0, "lists no host (and MONITORING_HOSTS is not set)") }
        return hosts
    }

    /// MONITORING_HOSTS; without a host file it must list at least one host.
    static func parseHosts(_ value: String?, required: Bool = true) throws -> [HostSpec] {
        guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            guard required else { return [] }
            throw ConfigurationError("MONITORING_HOSTS", value,
                                     "required (or MONITORING_HOSTS_FILE): a comma-separated list of hosts, e.g. nas.lan,192.0.2.10,::1")
        }
        var hosts: [HostSpec] = []
        var seen: Set<String> = []
        for entry in value.split(separator: ",", omittingEmptySubsequences: true) {
            let text = entry.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            guard let host = HostSpec(text) else {
                throw ConfigurationError("MONITORING_HOSTS", value,
                                         "\"\(text)\" is not an IPv4 address, an IPv6 address or a DNS name")
            }
            guard seen.insert(host.lookupKey).inserted else {
                throw ConfigurationError("MONITORING_HOSTS", value, "\"\(text)\" is listed twice")
            }
            hosts.append(host)
        }
        guard !hosts.isEmpty || !required else {
            throw ConfigurationError("MONITORING_HOSTS", value, "lists no host")
        }
        return hosts
    }

    static func parseDuration(_ variable: String, _ value: String?) throws -> ConfigDuration? {
        guard let value else { return nil }
        guard let duration = ConfigDuration.parse(value) else {
            throw ConfigurationError(variable, value, "not a duration (use 30, 2.5, 500ms, 10s or 1m)")
        }
        return duration
    }

    /// HISTORY_STEP (default 1m: 10s to 1h, dividing an hour) and HISTORY_RETENTION (three durations: step rows,
    /// hourly rows, daily rows; default 14d,400d,3650d).
    static func parseHistory(_ environment: [String: String]) throws -> HistoryLadder {
        var step: Int64 = 60
        if let value = environment["HISTORY_STEP"] {
            guard let duration = ConfigDuration.parse(value), duration.nanoseconds % 1_000_000_000 == 0,
                  HistoryLadder.isValidStep(Int64(duration.nanoseconds / 1_000_000_000)) else {
                throw ConfigurationError("HISTORY_STEP", value, "must be 10s to 1h and divide an hour (10s, 30s, 1m, 5m, 15m, 1h…)")
            }
            step = Int64(duration.nanoseconds / 1_000_000_000)
        }
        var retention = HistoryLadder.defaultRetention
        if let value = environment["HISTORY_RETENTION"] {
            let parts = value.split(separator: ",", omittingEmptySubsequences: false).map { ConfigDuration.parse(String($0)) }
            guard parts.count == 3, parts.allSatisfy({ ($0?.seconds ?? 0) >= 3600 }) else {
                throw ConfigurationError("HISTORY_RETENTION", value,
                                         "must be three durations of at least 1h: step rows, hourly rows, daily rows (e.g. 14d,400d,3650d)")
            }
            retention = parts.map { Int64($0?.seconds ?? 0) }
        }
        return HistoryLadder(step: step, retention: retention)
    }

    static func parseCount(_ variable: String, _ value: String?) throws -> Int? {
        guard let value else { return nil }
        let text = value.trimmingCharacters(in: .whitespaces)
        guard text.allSatisfy({ $0.isASCII && $0.isNumber }), let count = Int(text), (1...1000).contains(count) else {
            throw ConfigurationError(variable, value, "must be a whole number from 1 to 1000")
        }
        return count
    }

    static func parseListen(_ value: String?) throws -> SocketAddress {
        let text = (value ?? "0.0.0.0:8080").trimmingCharacters(in: .whitespaces)
        let full = text.hasPrefix(":") ? "0.0.0.0" + text : text
        guard let address = SocketAddress(hostPort: full) else {
            throw ConfigurationError("LISTEN_ADDR", value, "not an address and port (use 0.0.0.0:8080, 127.0.0.1:8080 or [::]:8080)")
        }
        return address
    }

    static func parseSwitch(_ variable: String, _ value: String?) throws -> Bool? {
        guard let value else { return nil }
        switch value.trimmingCharacters(in: .whitespaces).lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(variable, value, "must be true or false")
        }
    }

    static func parseLogLevel(_ value: String?) throws -> Logger.Level {
        switch value?.lowercased() {
        case nil, "info": return .info
        case "debug": return .debug
        case "warn", "warning": return .warning
        case "error": return .error
        default: throw ConfigurationError("LOG_LEVEL", value, "must be debug, info, warn or error")
        }
    }
}
