// The lateness histogram behind pinger_stats and bench/pinger: percentiles to the 0.1 ms bucket.
import Testing
@testable import Monitor
import Encoding
import ICMP
import Logging
import Platform
import TestSupport

@Suite struct ScheduleLatenessTests {
    @Test func percentilesAreTheUpperEdgeOfTheirBucket() {
        var lateness = ScheduleLateness()
        #expect(lateness.percentile(0.5) == nil, "no figure before the first ping")
        for _ in 0..<98 { lateness.record(nanoseconds: 40_000) }    // 0.04 ms: bucket 0–0.1 ms
        lateness.record(nanoseconds: 2_350_000)                      // 2.35 ms
        lateness.record(nanoseconds: 5_000_000_000)                  // 5 s: the overflow bucket
        #expect(lateness.count == 100)
        #expect(lateness.percentile(0.5) == 0.1)
        #expect(lateness.percentile(0.99) == 2.4)
        #expect(lateness.percentile(1.0) == 1000.1)
    }
}
