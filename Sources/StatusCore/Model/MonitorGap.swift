// A period nobody watched the hosts: from the previous run's last sign of life to this run's start.
import Foundation

public struct MonitorGap: Equatable, Sendable {
    public var from: Date
    public var until: Date
    /// "stopped" after a clean stop, "crashed" when the previous run ended without one.
    public var reason: String

    public init(from: Date, until: Date, reason: String) {
        self.from = from
        self.until = until
        self.reason = reason
    }
}
