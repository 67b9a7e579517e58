// The retry rules on their own: which HTTP answers are delivered, retried or final; Retry-After; and the capped,
// jittered exponential back-off.
import Testing
@testable import Webhooks
import Logging
import Platform
import TestSupport

@Suite struct WebhookRetryPolicyTests {
    @Test(arguments: [200, 201, 202, 204, 299])
    func successIsDelivered(status: Int) {
        #expect(WebhookRetryPolicy.outcome(status: status, retryAfter: nil) == .delivered(status: status))
    }

    @Test(arguments: [408, 429, 500, 502, 503, 504, 599])
    func transientAnswersAreRetried(status: Int) {
        #expect(WebhookRetryPolicy.outcome(status: status, retryAfter: nil) == .retry(reason: "HTTP \(status)", retryAfter: nil))
    }

    @Test(arguments: [400, 401, 403, 404, 405, 410, 413, 422, 301, 302, 307, 308, 100, 600])
    func otherAnswersAreFinal(status: Int) {
        guard case .failed(let reason) = WebhookRetryPolicy.outcome(status: status, retryAfter: "5") else {
            Issue.record("HTTP \(status) is retried")
            return
        }
        #expect(reason.hasPrefix("HTTP \(status)"))
    }

    @Test func retryAfterSecondsAreRead() {
        #expect(WebhookRetryPolicy.outcome(status: 429, retryAfter: " 30 ") == .retry(reason: "HTTP 429 (Retry-After 30.0s)", retryAfter: 30))
        #expect(WebhookRetryPolicy.outcome(status: 503, retryAfter: "1.5", detail: "busy") ==
                .retry(reason: "HTTP 503 (Retry-After 1.5s): busy", retryAfter: 1.5))
        for junk in ["", "soon", "-1", "Wed, 21 Oct 2026 07:28:00 GMT", "1e3", "inf"] {
            #expect(WebhookRetryPolicy.parseRetryAfter(junk) == nil)
        }
    }

    @Test func backoffDoublesUpToTheCapWithJitter() {
        let policy = WebhookRetryPolicy()  // 1 s doubling to 5 min
        #expect((1...11).map { policy.delay(afterFailures: $0, retryAfter: nil, random: 1) } ==
                [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300])
        #expect(policy.delay(afterFailures: 1000, retryAfter: nil, random: 1) == 300)
        #expect(policy.delay(afterFailures: 3, retryAfter: nil, random: 0.5) == 2)
        #expect(policy.jitter == 0.5...1.0)
        #expect(policy.giveUpAfter == 86_400)
        #expect(policy.requestTimeout == 10)
        #expect(policy.maximumPending == 1000)
    }

    @Test func retryAfterIsAFloorCappedAtTheLongestBackoff() {
        let policy = WebhookRetryPolicy()
        #expect(policy.delay(afterFailures: 1, retryAfter: 20, random: 0.5) == 20)
        #expect(policy.delay(afterFailures: 6, retryAfter: 2, random: 1) == 32)
        #expect(policy.delay(afterFailures: 1, retryAfter: 86_400, random: 1) == 300)
    }

    @Test func limitsAreKeptSane() {
        let policy = WebhookRetryPolicy(firstBackoff: 0, maximumBackoff: -1, jitter: -1...2, maximumAttempts: 0,
                                        requestTimeout: 0.3, maximumPending: 0)
        #expect(policy.firstBackoff > 0)
        #expect(policy.maximumBackoff >= policy.firstBackoff)
        #expect(policy.jitter.lowerBound >= 0)
        #expect(policy.maximumAttempts == 1)
        #expect(policy.requestTimeout == 1)
        #expect(policy.maximumPending == 1)
    }
}
