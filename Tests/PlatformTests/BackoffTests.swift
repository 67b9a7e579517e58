// The one back-off the store writer and the webhooks share: doubling from the first wait, capped, scaled by the
// jitter factor drawn for each wait.
import Testing
@testable import Platform

@Suite struct BackoffTests {
    @Test func waitsDoubleUpToTheCapAndScaleByTheJitter() {
        let backoff = Backoff(first: 0.2, maximum: 10)
        #expect([1, 2, 3, 4].map { backoff.delay(afterFailures: $0, random: 1) } == [0.2, 0.4, 0.8, 1.6])
        #expect(backoff.delay(afterFailures: 7, random: 1) == 10, "12.8 s is capped at 10 s")
        #expect(backoff.delay(afterFailures: 1_000, random: 0.5) == 5, "no overflow, half the cap")
        #expect(backoff.delay(afterFailures: 0, random: 1) == 0.2, "no failure yet counts as the first")
        for _ in 0..<100 {
            let wait = backoff.delay(afterFailures: 3)
            #expect(wait >= 0.4 && wait <= 0.8, "jitter 50–100 % of 0.8 s: \(wait)")
        }
    }
}
