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
package struct HostAttributes: Equatable, Sendable {
    package var name: String?
    package var group: String?
    /// The parents' addresses as written: the host is reachable through any of them.
    package var parents: [String] = []
    package var interval: ConfigDuration?
    package var timeout: ConfigDuration?
    package var failureThreshold: Int?
    package var recoveryThreshold: Int?
    package var maintenance: [MaintenanceWindow] = []

    package init() {}
}
