// What a history request asks for, made into buckets: the range, the step rounded up to a multiple of a stored
// resolution (the finest one whose retention reaches the range's start, and longer if the range would give more
// than 10,000 buckets), the rows' level to read, and the buckets' starts (aligned to the step from the Unix epoch,
// so a day's bucket is a UTC day). Pure.

package struct HistoryQuery: Equatable, Sendable {
    /// The first bucket's start, the step and how many buckets (all Unix seconds).
    package var first: Int64
    package var step: Int64
    package var count: Int
    /// The ladder level whose rows are read (finer ones fill in what it has not merged yet).
    package var level: Int

    /// Most buckets one answer may hold.
    package static let maximumBuckets = 10_000
    /// How many buckets the default step aims at, at most.
    package static let defaultBuckets: Int64 = 300

    package var until: Int64 { first + step * Int64(count) }

    package func bucketStart(_ index: Int) -> Int64 { first + step * Int64(index) }

    /// The bucket of a row starting at `start`; nil outside the range.
    package func bucket(of start: Int64) -> Int? {
        guard start >= first, start < until else { return nil }
        return Int((start - first) / step)
    }

    /// [`since`, `until`) in seconds (no bucket when empty); `step` nil for the default (at most ~300 buckets, a
    /// round multiple).
    package init(since: Int64, until: Int64, step: Int64?, ladder: HistoryLadder, now: Int64) throws(HistoryQueryError) {
        let finest = ladder.finestLevel(reaching: since, now: now)
        guard since < until else {  // an empty range has no bucket, as an empty incident range has no incident
            (first, self.step, count, level) = (since, ladder.levels[finest].seconds, 0, finest)
            return
        }
        let resolution = ladder.levels[finest].seconds
        let wanted: Int64
        if let step {
            guard step > 0 else { throw HistoryQueryError("step must be more than 0") }
            wanted = step
        } else {
            wanted = Self.roundStep(atLeast: (until - since + Self.defaultBuckets - 1) / Self.defaultBuckets,
                                    resolution: resolution)
        }
        var rounded = max(resolution, (wanted + resolution - 1) / resolution * resolution)
        // A range too long for its step at most `maximumBuckets`: the step grows to fit (still a multiple).
        let fitting = (until - since + Int64(Self.maximumBuckets) - 2) / Int64(Self.maximumBuckets - 1)
        if fitting > rounded { rounded = (fitting + resolution - 1) / resolution * resolution }
        self.step = rounded
        level = ladder.levels.indices.last { $0 >= finest && rounded % ladder.levels[$0].seconds == 0 } ?? finest
        first = Self.floor(since, rounded)
        count = Int((until - first + rounded - 1) / rounded)
    }

    /// The smallest round multiple of `resolution` (×1, 2, 3, 5, 10, 15, 20, 30, 60, …) of at least `seconds`.
    static func roundStep(atLeast seconds: Int64, resolution: Int64) -> Int64 {
        let multiples: [Int64] = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30]
        var scale: Int64 = 1
        while true {
            for multiple in multiples where resolution * multiple * scale >= seconds { return resolution * multiple * scale }
            scale *= 60
        }
    }

    /// `value` rounded down to a multiple of `step` (towards minus infinity).
    package static func floor(_ value: Int64, _ step: Int64) -> Int64 {
        value >= 0 ? value / step * step : -((-value + step - 1) / step) * step
    }
}

/// Why a history request cannot be answered: a 400's text.
package struct HistoryQueryError: Error, Equatable, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
