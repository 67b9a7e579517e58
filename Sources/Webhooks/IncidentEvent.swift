// An incident opened or closed, as the monitor announces it to whoever listens (webhooks, uptime, metrics),
// at the moment the host is declared down or up — before the database has it.
import Foundation

package struct IncidentEvent: Sendable, Equatable {
    package enum Kind: String, Sendable {
        case opened
        case closed
    }

    package var kind: Kind
    /// The host as configured.
    package var domain: String
    /// The check's id; 0 while the database has not been reached since start with an empty STATE_DIR.
    package var checkID: Int64
    /// Why the host is down, in plain words (the incident's description).
    package var cause: String
    package var downDetection: Date
    /// Nil for `.opened`.
    package var upDetection: Date?
    /// What people call the host (the host file's `name`, or the address).
    package var name: String
    /// Every host below this one in the host file: unreachable while it is down, and not notified one by one.
    package var dependents: [String]

    package init(kind: Kind, domain: String, checkID: Int64, cause: String, downDetection: Date, upDetection: Date?,
                 name: String? = nil, dependents: [String] = []) {
        self.name = name ?? domain
        self.dependents = dependents
        self.kind = kind
        self.domain = domain
        self.checkID = checkID
        self.cause = cause
        self.downDetection = downDetection
        self.upDetection = upDetection
    }

    /// "nas.lan", or "NAS (nas.lan)" when it has a name of its own.
    package var label: String { name == domain ? domain : "\(name) (\(domain))" }

    /// ", 3 hosts behind it" when it has dependents; "" when not.
    package var behindText: String {
        dependents.isEmpty ? "" : "; \(dependents.count) host\(dependents.count == 1 ? "" : "s") behind it"
    }

    /// How long the host was down, for `.closed`.
    package var durationSeconds: Double? {
        upDetection.map { max(0, $0.timeIntervalSince(downDetection)) }
    }
}
