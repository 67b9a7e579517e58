// PROBE_NAME and MONITORING_QUORUM: what this daemon is called among the probes on its database, and how many of
// the live probes watching a host must agree for it to go down or up.
import Consensus
import Platform

extension Configuration {
    /// PROBE_NAME (default: the host name; 1–64 letters, digits, `.`, `_` or `-`) and MONITORING_QUORUM
    /// (`1`, `majority`, `all` or a number; default `majority`).
    static func parseProbe(_ environment: [String: String]) throws -> ProbeSettings {
        let name: String
        if let given = environment["PROBE_NAME"] {
            name = given.trimmingCharacters(in: .whitespaces)
            guard isProbeName(name) else {
                throw ConfigurationError("PROBE_NAME", given, "must be 1 to 64 letters, digits, '.', '_' or '-'")
            }
        } else {
            let host = HostName.current() ?? "status"
            name = isProbeName(host) ? host : "status"
        }
        var quorum = Quorum.majority
        if let text = environment["MONITORING_QUORUM"] {
            guard let parsed = Quorum(text.trimmingCharacters(in: .whitespaces)) else {
                throw ConfigurationError("MONITORING_QUORUM", text, "must be 1, majority, all or a number from 1 to 100")
            }
            quorum = parsed
        }
        return ProbeSettings(name: name, quorum: quorum)
    }

    static func isProbeName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }
}
