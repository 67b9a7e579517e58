// One URL's delivery line: its events in order, one request at a time, the head retried with back-off until it is
// delivered, refused for good, or given up; at most `maximumPending` waiting, the oldest dropped beyond that.
// Each URL has its own line, so a slow or dead one never delays another.
import Dispatch
import Foundation

final class WebhookDeliveryQueue: @unchecked Sendable {
    private struct Pending {
        let sequence: UInt64
        let event: IncidentEvent
        let message: WebhookMessage
        let queuedAt: MonotonicInstant
        var attempts = 0
    }

    private enum State {
        case idle
        /// A request for the head is in flight; the head is not dropped while it is.
        case sending
        /// The head failed and waits for its next attempt.
        case waiting
    }

    let url: URL
    /// scheme://host, all the log ever shows of the URL.
    let label: String
    private let client: WebhookHTTPClient
    private let policy: WebhookRetryPolicy
    private let logger: Logger
    private let queue: DispatchQueue
    private let lock = NSLock()
    private var pending: [Pending] = []
    private var state = State.idle
    private var nextSequence: UInt64 = 0
    private var stopped = false
    /// Cancels the request in flight.
    private var cancel: (@Sendable () -> Void)?

    init(url: URL, client: WebhookHTTPClient, policy: WebhookRetryPolicy, logger: Logger) {
        self.url = url
        self.label = WebhookConfiguration.redacted(url)
        self.client = client
        self.policy = policy
        self.logger = logger
        self.queue = DispatchQueue(label: "status.webhook")
    }

    /// Events queued and not yet delivered or given up (the one in flight included).
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return pending.count
    }

    /// True when nothing is queued or in flight.
    var isIdle: Bool {
        lock.lock()
        defer { lock.unlock() }
        return pending.isEmpty && state == .idle
    }

    /// Queues an event behind the others; returns at once.
    func enqueue(_ event: IncidentEvent, _ message: WebhookMessage) {
        lock.lock()
        guard !stopped else { return lock.unlock() }
        pending.append(Pending(sequence: nextSequence, event: event, message: message, queuedAt: .now()))
        nextSequence += 1
        var dropped: Pending?
        let inFlight = state == .sending ? 1 : 0
        if pending.count - inFlight > policy.maximumPending {
            dropped = pending.remove(at: inFlight)
        }
        let start = state == .idle
        if start { state = .sending }
        lock.unlock()
        if let dropped {
            logger.warning("webhook_dropped", ["webhook": label, "host": dropped.event.domain,
                                               "kind": WebhookMessage.eventName(dropped.event.kind),
                                               "reason": "more than \(policy.maximumPending) events waiting"])
        }
        if start { queue.async { self.sendHead() } }
    }

    /// Cancels the request in flight and forgets what waits; nothing is sent afterwards.
    func stop() {
        lock.lock()
        stopped = true
        pending.removeAll()
        let running = cancel
        cancel = nil
        state = .idle
        lock.unlock()
        running?()
    }

    private func sendHead() {
        lock.lock()
        guard !stopped, var head = pending.first else {
            state = .idle
            return lock.unlock()
        }
        state = .sending
        head.attempts += 1
        pending[0] = head
        lock.unlock()
        let sent = head
        let cancelRequest = client.post(sent.message, to: url) { [weak self] outcome in
            guard let self else { return }
            self.queue.async { self.finished(sent, outcome) }
        }
        lock.lock()
        if !stopped, state == .sending, pending.first?.sequence == sent.sequence { cancel = cancelRequest }
        lock.unlock()
    }

    private func finished(_ head: Pending, _ outcome: WebhookRetryPolicy.Outcome) {
        lock.lock()
        guard !stopped, pending.first?.sequence == head.sequence else { return lock.unlock() }
        cancel = nil
        lock.unlock()
        switch outcome {
        case .delivered(let status):
            logger.debug("webhook_delivered", ["webhook": label, "host": head.event.domain,
                                               "kind": WebhookMessage.eventName(head.event.kind), "status": status,
                                               "attempts": head.attempts, "after_s": secondsSince(head.queuedAt)])
            removeHeadAndContinue()
        case .failed(let reason):
            fail(head, reason)
        case .retry(let reason, let retryAfter):
            let delay = policy.delay(afterFailures: head.attempts, retryAfter: retryAfter,
                                     random: Double.random(in: policy.jitter))
            let age = Double(MonotonicInstant.now().nanoseconds(since: head.queuedAt)) / 1e9
            if head.attempts >= policy.maximumAttempts {
                return fail(head, "\(reason); gave up after \(head.attempts) attempts")
            }
            if age + delay > policy.giveUpAfter {
                return fail(head, "\(reason); gave up after \(head.attempts) attempts in \(HumanDuration.text(seconds: age))")
            }
            let level: Logger.Level = head.attempts == 1 ? .warning : .debug
            logger.log(level, "webhook_retry", ["webhook": label, "host": head.event.domain,
                                                "kind": WebhookMessage.eventName(head.event.kind), "reason": reason,
                                                "attempts": head.attempts, "next_in_s": String(format: "%.3f", delay)])
            lock.lock()
            if !stopped { state = .waiting }
            lock.unlock()
            queue.asyncAfter(deadline: .now() + delay) { [weak self] in self?.sendHead() }
        }
    }

    private func fail(_ head: Pending, _ reason: String) {
        logger.error("webhook_failed", ["webhook": label, "host": head.event.domain,
                                        "kind": WebhookMessage.eventName(head.event.kind), "reason": reason,
                                        "attempts": head.attempts])
        removeHeadAndContinue()
    }

    private func removeHeadAndContinue() {
        lock.lock()
        if !pending.isEmpty { pending.removeFirst() }
        lock.unlock()
        sendHead()
    }

    private func secondsSince(_ instant: MonotonicInstant) -> String {
        String(format: "%.3f", Double(MonotonicInstant.now().nanoseconds(since: instant)) / 1e9)
    }
}
