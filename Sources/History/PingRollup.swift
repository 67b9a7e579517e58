// One host's pings over one step (or any range of steps): how many were sent and answered, the RTTs'
// distribution (RTTSketch), and their exact minimum, maximum, sum and sum of squares (mean and jitter as standard
// deviation). Merging is exact for every field but the sums' rounding: an hour's rollup is its minutes' merged.
import Foundation

package struct PingRollup: Equatable, Sendable {
    package var sent: UInt32 = 0
    package var replies: UInt32 = 0
    /// Milliseconds; nil while no ping was answered.
    package var minimum: Double?
    package var maximum: Double?
    package var sum: Double = 0
    package var sumOfSquares: Double = 0
    package var sketch = RTTSketch()

    package init() {}

    /// A ping answered after `milliseconds`.
    package mutating func reply(_ milliseconds: Double) {
        sent &+= 1
        replies &+= 1
        minimum = Swift.min(minimum ?? milliseconds, milliseconds)
        maximum = Swift.max(maximum ?? milliseconds, milliseconds)
        sum += milliseconds
        sumOfSquares += milliseconds * milliseconds
        sketch.add(milliseconds)
    }

    /// A ping that got no reply (timed out, or an error came back).
    package mutating func loss() {
        sent &+= 1
    }

    /// Adds `other`'s pings: the result is the rollup of both ranges' pings together.
    package mutating func merge(_ other: PingRollup) {
        sent &+= other.sent
        replies &+= other.replies
        if let low = other.minimum { minimum = Swift.min(minimum ?? low, low) }
        if let high = other.maximum { maximum = Swift.max(maximum ?? high, high) }
        sum += other.sum
        sumOfSquares += other.sumOfSquares
        sketch.merge(other.sketch)
    }

    /// Lost pings in percent of those sent; nil when none was sent.
    package var lossPercent: Double? {
        sent == 0 ? nil : 100 * Double(sent - min(replies, sent)) / Double(sent)
    }

    package var mean: Double? { replies == 0 ? nil : sum / Double(replies) }

    /// The RTTs' population standard deviation (jitter); nil without a reply.
    package var standardDeviation: Double? {
        guard let mean else { return nil }
        return (max(0, sumOfSquares / Double(replies) - mean * mean)).squareRoot()
    }

    /// The RTT at quantile `q`, within RTTSketch.relativeError; nil without a reply.
    package func quantile(_ q: Double) -> Double? { sketch.quantile(q) }
}
