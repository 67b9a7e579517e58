// What the database holds of probes: each probe's row (name, first and last seen, version, interval, how many
// hosts it watches, live or not by the database's clock), and one probe's observation of one host.
import Foundation

/// A probe as the probes table holds it.
package struct ProbeRecord: Equatable, Sendable {
    package var name: String
    package var firstSeen: Date
    package var lastSeen: Date
    package var version: String
    package var intervalMilliseconds: Int64
    package var hosts: Int64
    /// It wrote within 3 × its interval + 10 s, by the database's clock.
    package var live: Bool

    package init(name: String, firstSeen: Date, lastSeen: Date, version: String, intervalMilliseconds: Int64,
                 hosts: Int64, live: Bool) {
        self.name = name
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.version = version
        self.intervalMilliseconds = intervalMilliseconds
        self.hosts = hosts
        self.live = live
    }

    /// How long a probe may stay silent and still count: 3 × its interval + 10 s.
    package static func livenessBound(intervalMilliseconds: Int64) -> Int64 { 3 * intervalMilliseconds + 10_000 }
}

/// This probe's view of one host, to be written.
package struct Observation: Equatable, Sendable {
    package var checkID: Int64
    package var isDown: Bool
    package var since: Date
    package var lastPerformed: Date?
    package var rttMilliseconds: Double?
    package var lossPercent: Double?
    package var cause: String?

    package init(checkID: Int64, isDown: Bool, since: Date, lastPerformed: Date?, rttMilliseconds: Double?,
                 lossPercent: Double?, cause: String?) {
        self.checkID = checkID
        self.isDown = isDown
        self.since = since
        self.lastPerformed = lastPerformed
        self.rttMilliseconds = rttMilliseconds
        self.lossPercent = lossPercent
        self.cause = cause
    }
}

/// A probe's stored observation of one host, and whether that probe is live.
package struct StoredObservation: Equatable, Sendable {
    package var probe: String
    package var live: Bool
    package var observation: Observation

    package init(probe: String, live: Bool, observation: Observation) {
        self.probe = probe
        self.live = live
        self.observation = observation
    }
}
