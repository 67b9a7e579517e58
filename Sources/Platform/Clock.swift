// Clocks: the monotonic clock for deadlines and intervals; the wall clock only for times users see.
import Glibc
import Foundation

/// Nanoseconds on CLOCK_MONOTONIC: never jumps with NTP or the user setting the date.
package struct MonotonicInstant: Comparable, Hashable, Sendable {
    package let nanoseconds: UInt64

    package init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    package static func now() -> MonotonicInstant {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return MonotonicInstant(nanoseconds: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
    }

    /// `seconds` from now (negative counts as 0).
    package static func after(seconds: Double) -> MonotonicInstant {
        now().adding(nanoseconds: UInt64(max(seconds, 0) * 1e9))
    }

    package static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    package func adding(nanoseconds delta: UInt64) -> MonotonicInstant { MonotonicInstant(nanoseconds: nanoseconds &+ delta) }

    /// Nanoseconds from `earlier` to this instant, 0 if `earlier` is later.
    package func nanoseconds(since earlier: MonotonicInstant) -> UInt64 {
        nanoseconds >= earlier.nanoseconds ? nanoseconds - earlier.nanoseconds : 0
    }

    /// Seconds from `earlier` to this instant, 0 if `earlier` is later.
    package func seconds(since earlier: MonotonicInstant) -> Double {
        Double(nanoseconds(since: earlier)) / 1e9
    }

    /// Checks `condition` every `pollMilliseconds` until it holds or this deadline passes; returns whether it held.
    /// For shutdown's waits (the store's and the webhooks' queues draining), which may block the calling thread.
    package func wait(pollMilliseconds: UInt32 = 10, until condition: () -> Bool) -> Bool {
        while true {
            if condition() { return true }
            if MonotonicInstant.now() >= self { return false }
            usleep(pollMilliseconds * 1000)
        }
    }
}

/// The wall clock's "now", read once with clock_gettime: the time users see, to the nanosecond.
package enum WallClock {
    /// CLOCK_REALTIME as a Date and as nanoseconds since 1970.
    package static func now() -> (date: Date, nanoseconds: Int64) {
        var realtime = timespec()
        clock_gettime(CLOCK_REALTIME, &realtime)
        let nanoseconds = Int64(realtime.tv_sec) * 1_000_000_000 + Int64(realtime.tv_nsec)
        return (date(nanoseconds: nanoseconds), nanoseconds)
    }

    /// The Date of a CLOCK_REALTIME reading in nanoseconds since 1970: the same Date `now()` gives with it.
    package static func date(nanoseconds: Int64) -> Date {
        let (seconds, remainder) = nanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
        let (wholeSeconds, fraction) = remainder < 0 ? (seconds - 1, remainder + 1_000_000_000) : (seconds, remainder)
        return Date(timeIntervalSince1970: Double(wholeSeconds) + Double(fraction) / 1e9)
    }
}
