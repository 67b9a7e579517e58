// The one place webhooks touch the network: a POST through libcurl (Platform's HTTPPost, which loads libcurl the
// first time it is used, so a daemon without webhooks never does), on a thread of its own per request, with a
// per-request timeout, no cookies, no cache and no redirects, its answer read as an Outcome.
import Foundation
import Platform

final class WebhookHTTPClient: Sendable {
    private let timeout: Double

    init(timeout: Double) {
        self.timeout = timeout
    }

    /// Sends `message` to `url`; `completion` runs once, on the request's thread. Returns a function that cancels
    /// the request (its completion then reports `.failed("cancelled")`).
    @discardableResult
    func post(_ message: WebhookMessage, to url: URL,
              completion: @escaping @Sendable (WebhookRetryPolicy.Outcome) -> Void) -> @Sendable () -> Void {
        let cancellation = HTTPPost.Cancellation()
        let headers = [(name: "User-Agent", value: "status")] + message.headers.map { (name: $0.key, value: $0.value) }
        let (body, timeout) = (message.body, self.timeout)
        Threads.start(name: "status-webhook") {
            let result = HTTPPost.send(url: url.absoluteString, headers: headers, body: body, timeout: timeout,
                                       cancellation: cancellation)
            completion(Self.outcome(result, url: url, timeout: timeout))
        }
        return { cancellation.cancel() }
    }

    static func outcome(_ result: Result<HTTPPost.Answer, HTTPPost.Failure>, url: URL, timeout: Double)
        -> WebhookRetryPolicy.Outcome {
        switch result {
        case .success(let answer):
            let location = answer.location.flatMap { URL(string: $0, relativeTo: url) }
                .map { WebhookConfiguration.redacted($0.absoluteURL) }
            return WebhookRetryPolicy.outcome(status: answer.status, retryAfter: answer.retryAfter, location: location,
                                              detail: snippet(answer.bodyStart))
        case .failure(let failure):
            return transportOutcome(failure, timeout: timeout)
        }
    }

    /// Connection errors and timeouts are worth retrying; a URL that cannot work, a missing libcurl or a
    /// cancelled request is not.
    static func transportOutcome(_ failure: HTTPPost.Failure, timeout: Double) -> WebhookRetryPolicy.Outcome {
        switch failure {
        case .timedOut:
            return .retry(reason: "no answer within \(HumanDuration.text(seconds: timeout))", retryAfter: nil)
        case .connectionRefused:
            return .retry(reason: "connection refused", retryAfter: nil)
        case .hostNotFound:
            return .retry(reason: "host name not found", retryAfter: nil)
        case .connectionLost(let text):
            return .retry(reason: "connection lost before the answer (\(text))", retryAfter: nil)
        case .cancelled:
            return .failed(reason: "cancelled")
        case .badURL(let text):
            return .failed(reason: "the URL cannot be used: \(text)")
        case .unavailable(let text):
            return .failed(reason: "webhooks need libcurl: \(text)")
        case .other(let code, let text):
            return .retry(reason: "request failed (libcurl \(code)): \(text)", retryAfter: nil)
        }
    }

    /// The first 200 bytes of an error answer, printable ASCII only, for the log (Discord and ntfy say there
    /// what they did not like).
    private static func snippet(_ bytes: [UInt8]) -> String {
        guard !bytes.isEmpty else { return "" }
        let text = String(decoding: bytes.prefix(200), as: UTF8.self)
        return WebhookMessage.headerValue(text.replacingOccurrences(of: "\n", with: " "))
    }
}
