// What the pinger counts, per address family: for the log's pinger_stats line, /metrics and bench/pinger.

package struct PingerCounters: Sendable, Equatable {
    package var sent = 0, replies = 0, errors = 0, timeouts = 0, late = 0, duplicates = 0, foreign = 0, sendFailures = 0

    package init() {}

    /// Both families added up.
    static func + (a: PingerCounters, b: PingerCounters) -> PingerCounters {
        var sum = a
        sum.sent += b.sent
        sum.replies += b.replies
        sum.errors += b.errors
        sum.timeouts += b.timeouts
        sum.late += b.late
        sum.duplicates += b.duplicates
        sum.foreign += b.foreign
        sum.sendFailures += b.sendFailures
        return sum
    }
}
