// Capped, jittered exponential back-off: the waits between retries of the store (database outages) and of the
// webhooks (a receiver that is down). Pure, so the tests can pin it down.
import Foundation

package struct Backoff: Sendable, Equatable {
    /// The wait after the first failure, in seconds; it doubles after each further failure...
    package var first: Double
    /// ...up to this.
    package var maximum: Double
    /// Each wait is multiplied by a random factor from this range, so many clients do not retry in step.
    package var jitter: ClosedRange<Double>

    package init(first: Double, maximum: Double, jitter: ClosedRange<Double> = 0.5...1.0) {
        self.first = max(first, 0.001)
        self.maximum = max(maximum, self.first)
        self.jitter = max(jitter.lowerBound, 0)...max(jitter.upperBound, 0)
    }

    /// The wait after `failures` failed attempts (1 or more), scaled by `random` (drawn from `jitter`).
    package func delay(afterFailures failures: Int, random: Double) -> Double {
        let exponent = Double(min(max(failures - 1, 0), 62))
        return min(first * pow(2, exponent), maximum) * random
    }

    /// The same with a random factor drawn from `jitter`.
    package func delay(afterFailures failures: Int) -> Double {
        delay(afterFailures: failures, random: Double.random(in: jitter))
    }
}
