// How late pings leave against their schedule (host start offset + k × interval): a fixed histogram of
// 0.1 ms buckets up to 1 s, so recording costs nothing and percentiles are exact to the bucket.

struct ScheduleLateness {
    private static let bucketNanoseconds: UInt64 = 100_000
    private var buckets = [UInt32](repeating: 0, count: 10_001)  // the last one: 1 s or later
    private(set) var count = 0

    mutating func record(nanoseconds: UInt64) {
        buckets[Int(min(nanoseconds / Self.bucketNanoseconds, UInt64(buckets.count - 1)))] &+= 1
        count += 1
    }

    /// The `fraction` (0...1) percentile in milliseconds (upper edge of its bucket), nil before any ping.
    func percentile(_ fraction: Double) -> Double? {
        guard count > 0 else { return nil }
        let rank = max(1, Int((Double(count) * fraction).rounded(.up)))
        var seen = 0
        for (index, value) in buckets.enumerated() {
            seen += Int(value)
            if seen >= rank { return Double(index + 1) * Double(Self.bucketNanoseconds) / 1e6 }
        }
        return nil
    }
}
