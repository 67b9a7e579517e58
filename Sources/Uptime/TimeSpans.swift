// Interval arithmetic on spans of time (in Unix milliseconds): union, clipping, subtraction and total length.
// The uptime figures are built from it.

/// A set of disjoint, sorted half-open spans [start, end).
struct TimeSpans: Equatable {
    private(set) var spans: [(start: Int64, end: Int64)]

    static func == (a: TimeSpans, b: TimeSpans) -> Bool {
        a.spans.count == b.spans.count && zip(a.spans, b.spans).allSatisfy { $0.start == $1.start && $0.end == $1.end }
    }

    /// The union of `spans` (any order, overlapping or not); empty and reversed spans are dropped.
    init(_ spans: [(start: Int64, end: Int64)]) {
        let sorted = spans.filter { $0.end > $0.start }.sorted { $0.start < $1.start }
        var merged: [(start: Int64, end: Int64)] = []
        merged.reserveCapacity(sorted.count)
        for span in sorted {
            if let last = merged.last, span.start <= last.end {
                merged[merged.count - 1].end = max(last.end, span.end)
            } else {
                merged.append(span)
            }
        }
        self.spans = merged
    }

    /// Total length.
    var length: Int64 { spans.reduce(0) { $0 + ($1.end - $1.start) } }

    /// The part of these spans within [start, end).
    func clipped(to start: Int64, _ end: Int64) -> TimeSpans {
        TimeSpans(spans.map { (start: max($0.start, start), end: min($0.end, end)) })
    }

    /// These spans without any time in `other`.
    func subtracting(_ other: TimeSpans) -> TimeSpans {
        var result: [(start: Int64, end: Int64)] = []
        var index = 0
        for span in spans {
            var start = span.start
            while index < other.spans.count, other.spans[index].end <= start { index += 1 }
            var cursor = index
            while cursor < other.spans.count, other.spans[cursor].start < span.end {
                let hole = other.spans[cursor]
                if hole.start > start { result.append((start: start, end: hole.start)) }
                start = max(start, hole.end)
                cursor += 1
            }
            if start < span.end { result.append((start: start, end: span.end)) }
        }
        return TimeSpans(result)
    }
}
