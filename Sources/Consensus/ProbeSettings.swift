// PROBE_NAME and MONITORING_QUORUM as the daemon read them: this probe's name and the quorum it applies.

/// This probe's name and the quorum it applies.
package struct ProbeSettings: Equatable, Sendable {
    package var name: String
    package var quorum: Quorum

    package init(name: String, quorum: Quorum = .majority) {
        self.name = name
        self.quorum = quorum
    }
}
