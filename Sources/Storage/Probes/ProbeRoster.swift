// The probes on this database as this daemon read them last, published for `GET /status/probes`: every probe
// (live or not) with how many hosts it watches, and when the reading was taken (nil before the first).
import Foundation
import Synchronization

package final class ProbeRoster: Sendable {
    package struct Reading: Sendable, Equatable {
        package var probes: [ProbeRecord]
        package var at: Date?
    }

    private let reading = Mutex(Reading(probes: [], at: nil))

    package init() {}

    package func publish(_ probes: [ProbeRecord], at: Date) {
        reading.withLock { $0 = Reading(probes: probes, at: at) }
    }

    package var current: Reading { reading.withLock { $0 } }
}
