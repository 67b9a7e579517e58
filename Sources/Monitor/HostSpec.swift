// One watched host as configured: an IPv4 or IPv6 literal, or a DNS name, validated, and what the host file
// says of it (name, group, parents, its own interval, timeout and thresholds, maintenance windows).
import Encoding
import Platform

/// A configured host: `domain` is the text exactly as configured (the API's key); `target` is how to reach it.
package struct HostSpec: Equatable, Sendable {
    package enum Target: Equatable, Sendable {
        case address(SocketAddress)
        case name(String)
    }

    package let domain: String
    package let target: Target
    /// What the host file set; the variables' defaults stand for what it left out.
    package var attributes = HostAttributes()

    /// What people see: the file's `name`, or the address.
    package var name: String { attributes.name ?? domain }

    /// Validates one host entry; nil when it is neither an IP literal nor a well-formed DNS name.
    package init?(_ text: String) {
        if let address = SocketAddress(ipLiteral: text) {
            self.domain = text
            self.target = .address(address)
            return
        }
        guard HostSpec.isDNSName(text) else { return nil }
        self.domain = text
        self.target = .name(text)
    }

    /// The domain without IPv6 brackets, so "[::1]" and "::1" name the same host in the API.
    package var lookupKey: String { HostSpec.lookupKey(domain) }

    package static func lookupKey(_ text: String) -> String {
        if text.hasPrefix("["), text.hasSuffix("]"), text.count > 2 {
            return String(text.dropFirst().dropLast())
        }
        return text
    }

    /// RFC 1123 host names: labels of letters, digits, hyphens (and underscores, seen in lab DNS), 1–63 bytes,
    /// not starting or ending with a hyphen, 253 bytes at most, an optional final dot, and a last label
    /// that is not all digits (so "300.1.1.1" is refused instead of being read as a strange address).
    static func isDNSName(_ text: String) -> Bool {
        var name = Substring(text)
        if name.hasSuffix(".") { name = name.dropLast() }
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard (1...63).contains(label.utf8.count),
                  label.utf8.allSatisfy({ isLabelByte($0) }),
                  label.first != "-", label.last != "-" else { return false }
        }
        guard let last = labels.last, !last.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return false }
        return true
    }

    private static func isLabelByte(_ byte: UInt8) -> Bool {
        (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || (byte >= 48 && byte <= 57) || byte == 45 || byte == 95
    }
}

/// A host's attributes from the host file. Nil settings take the daemon's defaults (the MONITORING_* variables).
/// Kept in one shared, immutable box (a host spec is 56 bytes instead of 160, and hosts without attributes share
/// one box): every host's spec is held by the configuration and by the monitor, 10,000 of them and more.
package struct HostAttributes: Equatable, Sendable {
    private struct Values: Equatable, Sendable {
        var name: String?
        var group: String?
        var parents: [String] = []
        var interval: ConfigDuration?
        var timeout: ConfigDuration?
        var failureThreshold: Int?
        var recoveryThreshold: Int?
        var maintenance: [MaintenanceWindow] = []
    }

    private final class Box: Sendable {
        let values: Values
        init(_ values: Values) { self.values = values }
    }

    private static let none = Box(Values())
    private var box = HostAttributes.none

    /// Setting a field puts the new values in a box of their own (boxes are never changed).
    private var values: Values {
        get { box.values }
        set { box = Box(newValue) }
    }

    package var name: String? {
        get { values.name }
        set { values.name = newValue }
    }
    package var group: String? {
        get { values.group }
        set { values.group = newValue }
    }
    /// The parents' addresses as written: the host is reachable through any of them.
    package var parents: [String] {
        get { values.parents }
        set { values.parents = newValue }
    }
    package var interval: ConfigDuration? {
        get { values.interval }
        set { values.interval = newValue }
    }
    package var timeout: ConfigDuration? {
        get { values.timeout }
        set { values.timeout = newValue }
    }
    package var failureThreshold: Int? {
        get { values.failureThreshold }
        set { values.failureThreshold = newValue }
    }
    package var recoveryThreshold: Int? {
        get { values.recoveryThreshold }
        set { values.recoveryThreshold = newValue }
    }
    package var maintenance: [MaintenanceWindow] {
        get { values.maintenance }
        set { values.maintenance = newValue }
    }

    package init() {}

    package static func == (lhs: HostAttributes, rhs: HostAttributes) -> Bool {
        lhs.box === rhs.box || lhs.values == rhs.values
    }
}
