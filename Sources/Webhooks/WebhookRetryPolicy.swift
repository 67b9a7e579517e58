// When a webhook is retried and for how long: what an HTTP answer means (delivered, retry, give up), and the
// capped, jittered exponential back-off between attempts. Pure, so tests can pin every rule down.
import Foundation
import Platform

/// The limits of delivery. The defaults suit a daemon; tests pass small ones to run fast.
package struct WebhookRetryPolicy: Sendable, Equatable {
    /// Wait after an event's first failed attempt, in seconds; it doubles after each further failure...
    package var firstBackoff: Double
    /// ...up to this (also the cap on a server's Retry-After).
    package var maximumBackoff: Double
    /// Each wait is multiplied by a random factor from this range, so many daemons do not retry in step.
    package var jitter: ClosedRange<Double>
    /// An event not delivered this many seconds after it was queued is given up (`webhook_failed`).
    package var giveUpAfter: Double
    /// ...as is one that failed this many attempts.
    package var maximumAttempts: Int
    /// How long one request may take, connection included; whole seconds, at least 1 (URLSession on Linux rounds
    /// a request's timeout down to whole seconds, and 0 would time out at once).
    package var requestTimeout: Double
    /// Events waiting per URL (the one being sent not counted); beyond it the oldest is dropped (`webhook_dropped`).
    package var maximumPending: Int

    package init(firstBackoff: Double = 1, maximumBackoff: Double = 300, jitter: ClosedRange<Double> = 0.5...1.0,
                giveUpAfter: Double = 86_400, maximumAttempts: Int = 1000, requestTimeout: Double = 10,
                maximumPending: Int = 1000) {
        self.firstBackoff = max(firstBackoff, 0.001)
        self.maximumBackoff = max(maximumBackoff, self.firstBackoff)
        self.jitter = max(jitter.lowerBound, 0)...max(jitter.upperBound, 0)
        self.giveUpAfter = giveUpAfter
        self.maximumAttempts = max(maximumAttempts, 1)
        self.requestTimeout = max(requestTimeout.rounded(.down), 1)
        self.maximumPending = max(maximumPending, 1)
    }

    /// What one attempt came to.
    enum Outcome: Equatable {
        case delivered(status: Int)
        /// Worth another try; `retryAfter` is the server's Retry-After in seconds, if it sent one.
        case retry(reason: String, retryAfter: Double?)
        /// Retrying would not help (a 4xx other than 408 and 429, a redirect, a bad URL).
        case failed(reason: String)
    }

    /// 2xx is delivered; 408, 429 and 5xx are retried; anything else is permanent. `location` is the redirect
    /// target's scheme://host, `detail` the start of the answer's body (both only go to the log).
    static func outcome(status: Int, retryAfter: String?, location: String? = nil, detail: String = "") -> Outcome {
        let suffix = detail.isEmpty ? "" : ": \(detail)"
        switch status {
        case 200...299:
            return .delivered(status: status)
        case 408, 429, 500...599:
            let seconds = retryAfter.flatMap(parseRetryAfter)
            let hint = seconds.map { " (Retry-After \($0)s)" } ?? ""
            return .retry(reason: "HTTP \(status)\(hint)\(suffix)", retryAfter: seconds)
        case 300...399:
            return .failed(reason: "HTTP \(status) redirect to \(location ?? "?") (not followed: configure that URL)")
        default:
            return .failed(reason: "HTTP \(status)\(suffix)")
        }
    }

    /// Retry-After in delta-seconds ("120", or "1.5" as some servers send); nil for an HTTP date or junk.
    static func parseRetryAfter(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              let seconds = Double(trimmed), seconds.isFinite, seconds >= 0 else { return nil }
        return seconds
    }

    /// The wait before the next attempt, after `failures` failed ones (1 or more): `firstBackoff` doubling per
    /// failure up to `maximumBackoff`, times `random` (drawn from `jitter`); never shorter than the server's
    /// Retry-After, which is itself capped at `maximumBackoff`.
    func delay(afterFailures failures: Int, retryAfter: Double?, random: Double) -> Double {
        let backoff = Backoff(first: firstBackoff, maximum: maximumBackoff, jitter: jitter)
            .delay(afterFailures: failures, random: random)
        guard let retryAfter else { return backoff }
        return max(min(retryAfter, maximumBackoff), backoff)
    }
}
