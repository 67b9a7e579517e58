// Waiting in tests for something another thread does, on the monotonic clock.
import Foundation
import Platform

/// Polls `condition` every 10 ms for up to `timeout` seconds; returns whether it came true.
@discardableResult
package func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
    MonotonicInstant.after(seconds: timeout).wait(until: condition)
}
