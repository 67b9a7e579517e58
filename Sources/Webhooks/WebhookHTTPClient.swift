// The one place webhooks touch the network: a POST through URLSession (FoundationNetworking on Linux, so https
// works), with a per-request timeout, no cookies, no cache and no redirects, its answer read as an Outcome.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

final class WebhookHTTPClient: Sendable {
    private let session: URLSession
    private let timeout: Double

    init(timeout: Double) {
        self.timeout = timeout
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        session = URLSession(configuration: configuration, delegate: RedirectRefuser(), delegateQueue: nil)
    }

    deinit {
        session.invalidateAndCancel()
    }

    /// Sends `message` to `url`; `completion` runs once, on a URLSession thread. Returns a function that cancels
    /// the request (its completion then reports `.failed("cancelled")`).
    @discardableResult
    func post(_ message: WebhookMessage, to url: URL,
              completion: @escaping @Sendable (WebhookRetryPolicy.Outcome) -> Void) -> @Sendable () -> Void {
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = Data(message.body)
        request.setValue("status", forHTTPHeaderField: "User-Agent")
        for (name, value) in message.headers { request.setValue(value, forHTTPHeaderField: name) }
        let timeout = self.timeout
        let task = session.dataTask(with: request) { data, response, error in
            completion(Self.outcome(data: data, response: response, error: error, timeout: timeout))
        }
        task.resume()
        return { task.cancel() }
    }

    static func outcome(data: Data?, response: URLResponse?, error: Error?, timeout: Double) -> WebhookRetryPolicy.Outcome {
        if let error {
            return transportOutcome(error, timeout: timeout)
        }
        guard let http = response as? HTTPURLResponse else {
            return .retry(reason: "no HTTP answer", retryAfter: nil)
        }
        let location = header("Location", in: http).flatMap { URL(string: $0, relativeTo: http.url) }
            .map { WebhookConfiguration.redacted($0.absoluteURL) }
        return WebhookRetryPolicy.outcome(status: http.statusCode, retryAfter: header("Retry-After", in: http),
                                          location: location, detail: snippet(data))
    }

    /// Connection errors and timeouts are worth retrying; a URL that cannot work or a cancelled task is not.
    static func transportOutcome(_ error: Error, timeout: Double) -> WebhookRetryPolicy.Outcome {
        guard let urlError = error as? URLError else {
            return .retry(reason: "request failed: \(error.localizedDescription)", retryAfter: nil)
        }
        switch urlError.code {
        case .timedOut:
            return .retry(reason: "no answer within \(HumanDuration.text(seconds: timeout))", retryAfter: nil)
        case .cannotConnectToHost:
            return .retry(reason: "connection refused", retryAfter: nil)
        case .cannotFindHost, .dnsLookupFailed:
            return .retry(reason: "host name not found", retryAfter: nil)
        case .networkConnectionLost:
            return .retry(reason: "connection lost before the answer", retryAfter: nil)
        case .cancelled:
            return .failed(reason: "cancelled")
        case .badURL, .unsupportedURL:
            return .failed(reason: "the URL cannot be used: \(urlError.localizedDescription)")
        default:
            return .retry(reason: "request failed (\(urlError.code.rawValue)): \(urlError.localizedDescription)",
                          retryAfter: nil)
        }
    }

    private static func header(_ name: String, in response: HTTPURLResponse) -> String? {
        for (key, value) in response.allHeaderFields {
            if let key = key as? String, key.caseInsensitiveCompare(name) == .orderedSame { return value as? String }
        }
        return nil
    }

    /// The first 200 bytes of an error answer, printable ASCII only, for the log (Discord and ntfy say there
    /// what they did not like).
    private static func snippet(_ data: Data?) -> String {
        guard let data, !data.isEmpty else { return "" }
        let text = String(decoding: data.prefix(200), as: UTF8.self)
        return WebhookMessage.headerValue(text.replacingOccurrences(of: "\n", with: " "))
    }
}

/// Refuses every redirect: URLSession would turn a redirected POST into a GET and call that delivered.
private final class RedirectRefuser: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}
