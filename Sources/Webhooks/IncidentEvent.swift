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

    package init(kind: Kind, domain: String, checkID: Int64, cause: String, downDetection: Date, upDetection: Date?) {
        self.kind = kind
        self.domain = domain
        self.checkID = checkID
        self.cause = cause
        self.downDetection = downDetection
        self.upDetection = upDetection
    }

    /// How long the host was down, for `.closed`.
    package var durationSeconds: Double? {
        upDetection.map { max(0, $0.timeIntervalSince(downDetection)) }
    }
}
