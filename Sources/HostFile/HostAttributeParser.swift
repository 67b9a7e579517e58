// The attributes of one host file line, `key=value` each, checked one by one: which keys exist, which may be
// repeated (parent, maintenance), and each value's syntax and limits (the same as the MONITORING_* variables').
import Encoding
import Foundation
import Monitor

enum HostAttributeParser {
    struct Invalid: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    static let known = ["name", "group", "parent", "interval", "timeout", "failure_threshold", "recovery_threshold",
                        "maintenance"]

    static func attributes(_ words: [String], context: HostFile.Context) throws(Invalid) -> HostAttributes {
        var attributes = HostAttributes()
        var seen: Set<String> = []
        for word in words {
            guard let equals = word.firstIndex(of: "=") else {
                throw Invalid("\"\(word)\" is not key=value (one host per line; attributes look like name=\"NAS\")")
            }
            let key = String(word[..<equals])
            let value = String(word[word.index(after: equals)...])
            guard known.contains(key) else {
                throw Invalid("unknown attribute \"\(key)\" (known: \(known.joined(separator: ", ")))")
            }
            guard key == "parent" || key == "maintenance" || seen.insert(key).inserted else {
                throw Invalid("\(key) is given twice")
            }
            try set(key, value, on: &attributes, context: context)
        }
        let interval = attributes.interval ?? context.interval
        if let timeout = attributes.timeout, timeout > interval {
            throw Invalid("timeout=\(timeout) must not be longer than the host's interval (\(interval))")
        }
        return attributes
    }

    private static func set(_ key: String, _ value: String, on attributes: inout HostAttributes,
                            context: HostFile.Context) throws(Invalid) {
        switch key {
        case "name":
            attributes.name = try text(key, value)
        case "group":
            attributes.group = try text(key, value)
        case "parent":
            guard HostSpec(value) != nil else {
                throw Invalid("parent=\"\(value)\" is not an IPv4 address, an IPv6 address or a DNS name")
            }
            attributes.parents.append(value)
        case "interval":
            guard let interval = ConfigDuration.parse(value),
                  interval >= HostFile.minimumInterval, interval <= HostFile.maximumInterval else {
                throw Invalid("interval=\"\(value)\" must be a duration between 10ms and 24h (use 30, 2.5, 500ms, 10s or 1m)")
            }
            attributes.interval = interval
        case "timeout":
            guard let timeout = ConfigDuration.parse(value), timeout.nanoseconds > 0 else {
                throw Invalid("timeout=\"\(value)\" must be a duration of more than 0 (use 1, 500ms or 2s)")
            }
            attributes.timeout = timeout
        case "failure_threshold", "recovery_threshold":
            guard !value.isEmpty, value.allSatisfy({ $0.isASCII && $0.isNumber }), let count = Int(value),
                  (1...1000).contains(count) else {
                throw Invalid("\(key)=\"\(value)\" must be a whole number from 1 to 1000")
            }
            if key == "failure_threshold" { attributes.failureThreshold = count } else { attributes.recoveryThreshold = count }
        default:  // maintenance
            do {
                attributes.maintenance.append(try MaintenanceWindow.parse(value, timeZone: context.timeZone))
            } catch {
                throw Invalid("maintenance \(error.description)")
            }
        }
    }

    /// A name or group: not empty, no control characters.
    private static func text(_ key: String, _ value: String) throws(Invalid) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw Invalid("\(key) must not be empty") }
        guard !trimmed.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw Invalid("\(key) must not contain control characters")
        }
        return trimmed
    }
}
