// The resolutions history rows are kept at, finest first, and how long each is kept: the step's own rows
// (HISTORY_STEP), then hourly rows merged from them, then daily rows merged from the hourly ones. Times are Unix
// seconds; every resolution divides the next, so a coarser row covers whole finer rows.

/// One resolution: its rows' length and how long they are kept (seconds).
package struct HistoryLevel: Equatable, Sendable {
    package var seconds: Int64
    package var retention: Int64

    package init(seconds: Int64, retention: Int64) {
        self.seconds = seconds
        self.retention = retention
    }
}

package struct HistoryLadder: Equatable, Sendable {
    package static let hour: Int64 = 3600
    package static let day: Int64 = 86_400
    /// HISTORY_STEP's bounds; it must also divide an hour.
    package static let shortestStep: Int64 = 10
    package static let longestStep: Int64 = hour
    /// HISTORY_RETENTION's defaults: step rows 14 days, hourly rows 400 days (13 months), daily rows 10 years.
    package static let defaultRetention: [Int64] = [14 * day, 400 * day, 3650 * day]

    /// Finest first.
    package let levels: [HistoryLevel]

    /// `step`: HISTORY_STEP in seconds (10…3600, dividing 3600). `retention`: for step, hourly and daily rows.
    /// With a step of an hour the step rows are the hourly rows, kept the longer of the two retentions.
    package init(step: Int64, retention: [Int64] = HistoryLadder.defaultRetention) {
        let kept = retention.count == 3 ? retention : Self.defaultRetention
        if step >= Self.hour {
            levels = [HistoryLevel(seconds: Self.hour, retention: max(kept[0], kept[1])),
                      HistoryLevel(seconds: Self.day, retention: kept[2])]
        } else {
            levels = [HistoryLevel(seconds: step, retention: kept[0]), HistoryLevel(seconds: Self.hour, retention: kept[1]),
                      HistoryLevel(seconds: Self.day, retention: kept[2])]
        }
    }

    /// True when `seconds` may be HISTORY_STEP.
    package static func isValidStep(_ seconds: Int64) -> Bool {
        seconds >= shortestStep && seconds <= longestStep && hour % seconds == 0
    }

    /// The step rows' resolution.
    package var step: Int64 { levels[0].seconds }

    /// The finest level whose retention reaches back to `since` (the coarsest if none does).
    package func finestLevel(reaching since: Int64, now: Int64) -> Int {
        levels.indices.first { now - levels[$0].retention <= since } ?? levels.count - 1
    }

    /// Where to read `[from, until)` for a query at `level`: that level's rows before it was merged through,
    /// then the next finer level's, down to the step rows, which reach to `until`. `mergedThrough[i]` is level
    /// i's (ignored for level 0).
    package func segments(level: Int, from: Int64, until: Int64,
                          mergedThrough: [Int64]) -> [(level: Int, from: Int64, until: Int64)] {
        var result: [(level: Int, from: Int64, until: Int64)] = []
        var start = from
        for index in stride(from: level, through: 0, by: -1) {
            let end = index == 0 ? until : min(until, index < mergedThrough.count ? mergedThrough[index] : start)
            if end > start {
                result.append((index, start, end))
                start = end
            }
        }
        return result
    }
}
