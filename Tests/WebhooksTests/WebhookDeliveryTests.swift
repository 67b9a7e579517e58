// Webhook delivery against real HTTP receivers on 127.0.0.1: order per URL, retries with back-off, a dead URL
// that neither blocks the caller nor delays another URL, permanent failures, Retry-After, giving up, redirects,
// the bound on waiting events, and logs that never show a URL's secret path.
import Foundation
import Testing
@testable import Webhooks
import Logging
import Platform
import TestSupport

@Suite(.serialized) struct WebhookDeliveryTests {
    static let down = Date(timeIntervalSince1970: 1_795_554_060)
    /// Fast: 50 ms doubling, no jitter, so each test runs in well under a second or two.
    let fast = WebhookRetryPolicy(firstBackoff: 0.05, maximumBackoff: 0.2, jitter: 1...1, requestTimeout: 2)
    let log = LogCapture()

    func opened(_ host: String = "nas.lan") -> IncidentEvent {
        IncidentEvent(kind: .opened, domain: host, checkID: 1, cause: "no reply to 3 pings (timeout 1s)",
                      downDetection: Self.down, upDetection: nil)
    }

    func closed(_ host: String = "nas.lan") -> IncidentEvent {
        IncidentEvent(kind: .closed, domain: host, checkID: 1, cause: "no reply to 3 pings (timeout 1s)",
                      downDetection: Self.down, upDetection: Self.down.addingTimeInterval(123.456))
    }

    func notifier(_ urls: [URL], format: WebhookConfiguration.Format = .json,
                  policy: WebhookRetryPolicy? = nil) -> WebhookNotifier {
        WebhookNotifier(configuration: WebhookConfiguration(urls: urls, format: format), logger: log.logger,
                        policy: policy ?? fast)
    }

    func seconds(_ from: MonotonicInstant, _ to: MonotonicInstant) -> Double {
        Double(to.nanoseconds(since: from)) / 1e9
    }

    /// (a) Opened then closed reach the URL in that order, as POSTs with the format's exact body and headers.
    @Test(arguments: WebhookConfiguration.Format.allCases)
    func openedThenClosedArriveInOrderWithBodyAndHeaders(format: WebhookConfiguration.Format) throws {
        let receiver = try TestWebhookReceiver()
        let webhooks = notifier([receiver.url("/hook/s3cret-token")], format: format)
        let events = [opened("a.lan"), closed("a.lan"), opened("b.lan"), closed("b.lan")]
        for event in events { webhooks.notify(event) }
        let requests = receiver.waitFor(4)
        try #require(requests.count == 4)
        for (request, event) in zip(requests, events) {
            let expected = WebhookMessage(event, format: format)
            #expect(request.method == "POST")
            #expect(request.path == "/hook/s3cret-token")
            #expect(request.text == expected.text)
            for (name, value) in expected.headers { #expect(request.headers[name.lowercased()] == value) }
            #expect(request.headers["user-agent"] == "status")
        }
        #expect(webhooks.flush(timeout: 2))
        #expect(log.lines("webhook_delivered").count == 4)
        #expect(log.lines.contains { $0.contains("event=webhooks_configured") && $0.contains("urls=http://127.0.0.1:\(receiver.port)") })
        #expect(!log.lines.contains { $0.contains("s3cret") })
        #expect(receiver.received.count == 4)
    }

    /// (b) 503, 503, 200: delivered on the third attempt, once, after back-off waits that double.
    @Test func retriesAfter503UntilDeliveredExactlyOnce() throws {
        let receiver = try TestWebhookReceiver { $0 < 2 ? .status(503) : .status(200) }
        let webhooks = notifier([receiver.url()])
        webhooks.notify(opened())
        let requests = receiver.waitFor(3)
        try #require(requests.count == 3)
        #expect(requests.allSatisfy { $0.text == WebhookMessage(opened(), format: .json).text })
        #expect(seconds(requests[0].arrival, requests[1].arrival) >= 0.045)
        #expect(seconds(requests[1].arrival, requests[2].arrival) >= 0.095)
        #expect(webhooks.flush(timeout: 2))
        usleep(400_000)  // eight first back-offs: time enough for a wrong extra attempt
        #expect(receiver.received.count == 3)
        let delivered = log.lines("webhook_delivered")
        #expect(delivered.count == 1)
        #expect(delivered.first?.contains("attempts=3") == true)
        #expect(log.lines("webhook_retry").count == 2)
        #expect(log.lines("webhook_retry").first?.contains("level=warn") == true)
        #expect(log.lines("webhook_retry").first?.contains("reason=\"HTTP 503\"") == true)
        #expect(log.lines("webhook_failed").isEmpty)
    }

    /// (c) A URL that accepts and never answers: `notify` still returns at once, the other URL gets its events
    /// promptly, and the silent one's request times out and is tried again.
    @Test func silentURLBlocksNeitherTheCallerNorAnotherURL() throws {
        let silent = try TestWebhookReceiver { _ in .silence }
        let good = try TestWebhookReceiver()
        let policy = WebhookRetryPolicy(firstBackoff: 0.05, maximumBackoff: 0.2, jitter: 1...1, requestTimeout: 1)
        let webhooks = notifier([silent.url(), good.url()], policy: policy)
        defer { webhooks.stop() }
        let start = MonotonicInstant.now()
        webhooks.notify(opened())
        let firstNotify = seconds(start, .now())
        #expect(firstNotify < 0.05)
        #expect(good.waitFor(1, timeout: 1).count == 1)
        #expect(silent.waitFor(1, timeout: 1).count == 1)
        // The silent URL now has a request hanging; the next event must not wait for it either.
        let second = MonotonicInstant.now()
        webhooks.notify(closed())
        #expect(seconds(second, .now()) < 0.05)
        let goodRequests = good.waitFor(2, timeout: 1)
        try #require(goodRequests.count == 2)
        #expect(seconds(second, goodRequests[1].arrival) < 0.4)
        #expect(goodRequests.map(\.text) == [opened(), closed()].map { WebhookMessage($0, format: .json).text })
        // The hung request times out after 1 s and the same (first) event is sent again.
        let retried = silent.waitFor(2, timeout: 3)
        try #require(retried.count == 2)
        #expect(seconds(retried[0].arrival, retried[1].arrival) >= 0.95)
        #expect(retried.allSatisfy { $0.text == WebhookMessage(opened(), format: .json).text })
        #expect(log.lines("webhook_retry").first?.contains("reason=\"no answer within 1s\"") == true)
        #expect(!webhooks.flush(timeout: 0.1))
        #expect(log.lines("webhooks_unsent").first?.contains("webhook=http://127.0.0.1:\(silent.port) events=2") == true)
    }

    /// (d) A 400 is final: one request, `webhook_failed` with the server's reason, no retry; the next event goes on.
    @Test func badRequestIsNotRetried() throws {
        let receiver = try TestWebhookReceiver {
            $0 == 0 ? .status(400, body: #"{"message": "Cannot send an empty message", "code": 50006}"#) : .status(204)
        }
        let webhooks = notifier([receiver.url()])
        webhooks.notify(opened())
        let failed = log.waitFor("webhook_failed")
        #expect(failed.count == 1)
        #expect(failed.first?.contains("HTTP 400: {\\\"message\\\": \\\"Cannot send an empty message\\\"") == true)
        #expect(failed.first?.contains("attempts=1") == true)
        usleep(400_000)
        #expect(receiver.received.count == 1)
        #expect(log.lines("webhook_retry").isEmpty)
        webhooks.notify(closed())
        #expect(receiver.waitFor(2).count == 2)
        #expect(webhooks.flush(timeout: 2))
        #expect(log.lines("webhook_delivered").count == 1)
    }

    /// A 429's Retry-After is honoured when the back-off would be shorter, and capped at the longest back-off.
    @Test func tooManyRequestsWaitsForRetryAfterCapped() throws {
        let receiver = try TestWebhookReceiver {
            switch $0 {
            case 0: .status(429, headers: ["Retry-After": "1"])
            case 1: .status(429, headers: ["Retry-After": "3600"])
            default: .status(200)
            }
        }
        let policy = WebhookRetryPolicy(firstBackoff: 0.01, maximumBackoff: 1.5, jitter: 1...1, requestTimeout: 2)
        let webhooks = notifier([receiver.url()], policy: policy)
        webhooks.notify(opened())
        let requests = receiver.waitFor(3, timeout: 5)
        try #require(requests.count == 3)
        #expect(seconds(requests[0].arrival, requests[1].arrival) >= 0.95)
        #expect(seconds(requests[1].arrival, requests[2].arrival) >= 1.45)
        #expect(seconds(requests[1].arrival, requests[2].arrival) < 2.5)
        #expect(log.lines("webhook_retry").first?.contains("reason=\"HTTP 429 (Retry-After 1.0s)\"") == true)
        #expect(webhooks.flush(timeout: 1))
    }

    /// An event still failing after `giveUpAfter` is given up with one `webhook_failed`, and no more requests.
    @Test func givesUpAfterTheTimeLimit() throws {
        let receiver = try TestWebhookReceiver { _ in .status(502) }
        let policy = WebhookRetryPolicy(firstBackoff: 0.05, maximumBackoff: 0.1, jitter: 1...1, giveUpAfter: 0.4,
                                        requestTimeout: 2)
        let webhooks = notifier([receiver.url()], policy: policy)
        webhooks.notify(opened())
        let failed = log.waitFor("webhook_failed", timeout: 2)
        #expect(failed.count == 1)
        #expect(failed.first?.contains("HTTP 502; gave up after") == true)
        #expect(webhooks.flush(timeout: 0.5))
        let attempts = receiver.received.count
        #expect((3...9).contains(attempts))
        usleep(300_000)
        #expect(receiver.received.count == attempts)
    }

    /// A redirect is not followed (URLSession would resend the POST as a GET) and not retried.
    @Test func redirectIsNotFollowed() throws {
        let receiver = try TestWebhookReceiver { $0 == 0 ? .status(301, headers: ["Location": "/elsewhere"]) : .status(200) }
        let webhooks = notifier([receiver.url()])
        webhooks.notify(opened())
        let failed = log.waitFor("webhook_failed")
        #expect(failed.first?.contains("HTTP 301 redirect to http://127.0.0.1:\(receiver.port) (not followed") == true)
        usleep(300_000)
        #expect(receiver.received.map(\.path) == ["/hook"])
    }

    /// At most `maximumPending` events wait per URL: the oldest waiting ones are dropped, never the one in flight.
    @Test func oldestWaitingEventsAreDroppedBeyondTheLimit() throws {
        let receiver = try TestWebhookReceiver { _ in .silence }
        let policy = WebhookRetryPolicy(firstBackoff: 0.05, maximumBackoff: 0.2, jitter: 1...1, requestTimeout: 5,
                                        maximumPending: 2)
        let webhooks = notifier([receiver.url()], policy: policy)
        defer { webhooks.stop() }
        webhooks.notify(opened("h0.lan"))
        try #require(receiver.waitFor(1).count == 1)
        for index in 1...4 { webhooks.notify(opened("h\(index).lan")) }
        let dropped = log.lines("webhook_dropped")
        #expect(dropped.count == 2)
        #expect(dropped.first?.contains("host=h1.lan") == true)
        #expect(dropped.last?.contains("host=h2.lan") == true)
        #expect(webhooks.pendingCount == 3)
    }

    /// No URLs: notify is a no-op and flush has nothing to wait for.
    @Test func noURLsNoWork() {
        let webhooks = notifier([])
        webhooks.notify(opened())
        #expect(webhooks.pendingCount == 0)
        #expect(webhooks.flush(timeout: 0))
        #expect(log.lines.isEmpty)
    }
}
