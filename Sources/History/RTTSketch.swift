// A mergeable distribution of round-trip times with a fixed relative error (the DDSketch idea): each RTT is
// counted in the log-spaced bucket i with γ^(i−1) < rtt ≤ γ^i, γ = (1 + α)/(1 − α), and a quantile is answered
// by its bucket's value 2γ^i/(γ + 1), which is within α of every RTT in that bucket. Merging two sketches adds
// their counts bucket by bucket, so the sketch of a merged range is exactly the sketch of all its pings, and a
// quantile read from any range of rows has the same bound. Sparse: a host's RTTs over a minute fill a few buckets.

import Foundation

/// RTTs in milliseconds, counted by bucket.
package struct RTTSketch: Equatable, Sendable {
    /// The bound on a quantile's relative error.
    package static let relativeError = 0.01
    static let gamma = (1 + relativeError) / (1 - relativeError)
    static let logGamma = log(gamma)
    /// RTTs below this (1 µs) count in the lowest bucket, above `highest` (10 min) in the highest: the bound
    /// holds between them.
    package static let lowest = 0.001
    package static let highest = 600_000.0
    static let lowestIndex = index(ofClamped: lowest)
    static let highestIndex = index(ofClamped: highest)

    /// Bucket indexes, ascending, and their counts.
    package private(set) var indexes: [Int16] = []
    package private(set) var counts: [UInt32] = []

    package init() {}

    /// Buckets as stored (RollupEncoding): ascending indexes within the range, counts above zero.
    init?(indexes: [Int16], counts: [UInt32]) {
        guard indexes.count == counts.count, zip(indexes, indexes.dropFirst()).allSatisfy({ $0 < $1 }),
              indexes.allSatisfy({ (Self.lowestIndex...Self.highestIndex).contains($0) }), !counts.contains(0)
        else { return nil }
        self.indexes = indexes
        self.counts = counts
    }

    /// Every RTT counted.
    package var count: UInt64 { counts.reduce(0) { $0 + UInt64($1) } }

    package var isEmpty: Bool { indexes.isEmpty }

    /// Counts one RTT (milliseconds; negative and NaN count as the lowest).
    package mutating func add(_ milliseconds: Double) {
        add(index: Self.index(of: milliseconds), count: 1)
    }

    /// Adds every count of `other`.
    package mutating func merge(_ other: RTTSketch) {
        guard !other.isEmpty else { return }
        guard !isEmpty else { return self = other }
        var mergedIndexes: [Int16] = []
        var mergedCounts: [UInt32] = []
        mergedIndexes.reserveCapacity(indexes.count + other.indexes.count)
        mergedCounts.reserveCapacity(indexes.count + other.indexes.count)
        var a = 0
        var b = 0
        while a < indexes.count || b < other.indexes.count {
            if b == other.indexes.count || (a < indexes.count && indexes[a] < other.indexes[b]) {
                mergedIndexes.append(indexes[a])
                mergedCounts.append(counts[a])
                a += 1
            } else if a == indexes.count || other.indexes[b] < indexes[a] {
                mergedIndexes.append(other.indexes[b])
                mergedCounts.append(other.counts[b])
                b += 1
            } else {
                mergedIndexes.append(indexes[a])
                mergedCounts.append(counts[a] &+ other.counts[b])
                a += 1
                b += 1
            }
        }
        indexes = mergedIndexes
        counts = mergedCounts
    }

    /// The RTT at quantile `q` (0…1): the value of the bucket holding the ⌈q·n⌉-th smallest RTT (the smallest
    /// for q = 0); nil when empty. Within `relativeError` of that RTT when it lies in [lowest, highest].
    package func quantile(_ q: Double) -> Double? {
        let total = count
        guard total > 0 else { return nil }
        let rank = max(1, UInt64((min(max(q, 0), 1) * Double(total)).rounded(.up)))
        var seen: UInt64 = 0
        for (position, index) in indexes.enumerated() {
            seen += UInt64(counts[position])
            if seen >= rank { return Self.value(of: index) }
        }
        return indexes.last.map(Self.value(of:))
    }

    // MARK: Buckets

    /// The bucket of `milliseconds`, clamped to [lowest, highest].
    static func index(of milliseconds: Double) -> Int16 {
        guard milliseconds.isFinite, milliseconds > lowest else { return lowestIndex }
        guard milliseconds < highest else { return highestIndex }
        return index(ofClamped: milliseconds)
    }

    private static func index(ofClamped milliseconds: Double) -> Int16 {
        Int16((log(milliseconds) / logGamma).rounded(.up))
    }

    /// What a quantile in bucket `index` is answered with: equally far, relatively, from both ends.
    static func value(of index: Int16) -> Double {
        2 * pow(gamma, Double(index)) / (gamma + 1)
    }

    private mutating func add(index: Int16, count: UInt32) {
        var low = 0
        var high = indexes.count
        while low < high {
            let middle = (low + high) / 2
            if indexes[middle] < index { low = middle + 1 } else { high = middle }
        }
        if low < indexes.count, indexes[low] == index {
            counts[low] &+= count
        } else {
            indexes.insert(index, at: low)
            counts.insert(count, at: low)
        }
    }
}
