// What the monitor calls when an incident opens or closes: builds the message once in the configured format and
// hands it to each URL's own delivery line. Never blocks the caller (the ping queue); `flush` waits at shutdown.
import Foundation
import Logging
import Platform
import Synchronization

package final class WebhookNotifier: Sendable {
    private let format: WebhookConfiguration.Format
    private let queues: [WebhookDeliveryQueue]
    private let client: WebhookHTTPClient
    private let logger: Logger

    /// One delivery line per URL of `configuration`. `policy`: back-off, give-up and memory limits (tests pass
    /// small ones). Logs the URLs as scheme://host only.
    package init(configuration: WebhookConfiguration, logger: Logger, policy: WebhookRetryPolicy = WebhookRetryPolicy()) {
        format = configuration.format
        self.logger = logger
        client = WebhookHTTPClient(timeout: policy.requestTimeout)
        queues = configuration.urls.map { [client] in
            WebhookDeliveryQueue(url: $0, client: client, policy: policy, logger: logger)
        }
        if !queues.isEmpty {
            logger.info("webhooks_configured", ["urls": queues.map(\.label).joined(separator: ","),
                                                "format": format.rawValue])
        }
    }

    deinit {
        for queue in queues { queue.stop() }
    }

    /// Queues `event` for every URL and returns at once; delivery, retries and their logs happen elsewhere.
    package func notify(_ event: IncidentEvent) {
        guard !queues.isEmpty else { return }
        let message = WebhookMessage(event, format: format)
        for queue in queues { queue.enqueue(event, message) }
    }

    /// Like `notify`, and `done` is told once, when every URL has delivered the event (true) or one of them has
    /// refused it for good, given up or dropped it (false). Not told if the notifier stops first.
    package func notify(_ event: IncidentEvent, done: @escaping @Sendable (Bool) -> Void) {
        guard !queues.isEmpty else { return done(true) }
        let message = WebhookMessage(event, format: format)
        let remaining = Atomic<Int>(queues.count)
        let allDelivered = Atomic<Bool>(true)
        for queue in queues {
            queue.enqueue(event, message) { delivered in
                if !delivered { allDelivered.store(false, ordering: .relaxed) }
                if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
                    done(allDelivered.load(ordering: .relaxed))
                }
            }
        }
    }

    /// Events not yet delivered or given up, over all URLs.
    package var pendingCount: Int {
        queues.reduce(0) { $0 + $1.count }
    }

    /// Waits until every queued event is delivered or given up, or `timeout` seconds pass; true if nothing is left.
    /// Events still waiting then are logged (`webhooks_unsent`) and lost with the process.
    package func flush(timeout: Double) -> Bool {
        if MonotonicInstant.after(seconds: timeout).wait(until: { queues.allSatisfy(\.isIdle) }) { return true }
        for queue in queues where queue.count > 0 {
            logger.warning("webhooks_unsent", ["webhook": queue.label, "events": queue.count])
        }
        return false
    }

    /// Cancels requests in flight and forgets waiting events (tests; the daemon simply exits after `flush`).
    func stop() {
        for queue in queues { queue.stop() }
    }
}
