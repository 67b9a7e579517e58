// A period nobody watched the hosts: from the previous run's last sign of life to this run's start.
import Foundation

package struct MonitorGap: Equatable, Sendable {
    package var from: Date
    package var until: Date
    /// "stopped" after a clean stop, "crashed" when the previous run ended without one.
    package var reason: String

    package init(from: Date, until: Date, reason: String) {
        self.from = from
        self.until = until
        self.reason = reason
    }
}
