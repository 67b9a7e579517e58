// Clocks: the monotonic clock for deadlines and intervals; the wall clock only for times users see.
import Glibc
import Foundation

/// Nanoseconds on CLOCK_MONOTONIC: never jumps with NTP or the user setting the date.
public struct MonotonicInstant: Comparable, Hashable, Sendable {
    public let nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    public static func now() -> MonotonicInstant {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return MonotonicInstant(nanoseconds: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
    }

    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public func adding(nanoseconds delta: UInt64) -> MonotonicInstant { MonotonicInstant(nanoseconds: nanoseconds &+ delta) }

    /// Nanoseconds from `earlier` to this instant, 0 if `earlier` is later.
    public func nanoseconds(since earlier: MonotonicInstant) -> UInt64 {
        nanoseconds >= earlier.nanoseconds ? nanoseconds - earlier.nanoseconds : 0
    }
}
