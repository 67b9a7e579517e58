// A host's last 64 ping outcomes as a bit mask, for the check payload's `loss_pct`.

package struct RecentPings: Equatable, Sendable {
    package static let window = 64
    /// Bit i is set when the i-th most recent ping failed.
    private var failures: UInt64 = 0
    package private(set) var count = 0

    package init() {}

    package mutating func record(success: Bool) {
        failures = (failures << 1) | (success ? 0 : 1)
        count = min(count + 1, Self.window)
    }

    /// The share of the recorded pings (at most the last 64) that failed, in percent; nil before the first.
    package var lossPercent: Double? {
        guard count > 0 else { return nil }
        let mask: UInt64 = count == Self.window ? ~0 : (1 << UInt64(count)) - 1
        return Double((failures & mask).nonzeroBitCount) * 100 / Double(count)
    }
}
