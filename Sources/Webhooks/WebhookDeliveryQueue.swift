// One URL's delivery line: its events in order, one request at a time, the head retried with back-off until it is
// delivered, refused for good, or given up; at most `maximumPending` waiting, the oldest dropped beyond that.
// Each URL has its own line, so a slow or dead one never delays another.
import Dispatch
import Foundation
import Logging
import Platform
import Synchronization

final class WebhookDeliveryQueue: Sendable {
    private struct Pending: Sendable {
        let sequence: UInt64
        let event: IncidentEvent
        let message: WebhookMessage
        let queuedAt: MonotonicInstant
        var attempts = 0
        /// Told once whether the event was delivered (false: refused for good, given up or dropped).
        let done: (@Sendable (Bool) -> Void)?
    }

    private enum Phase {
        case idle
        /// A request for the head is in flight; the head is not dropped while it is.
        case sending
        /// The head failed and waits for its next attempt.
        case waiting
    }

    private struct Line {
        var pending: [Pending] = []
        var phase = Phase.idle
        var nextSequence: UInt64 = 0
        var stopped = false
        /// Cancels the request in flight.
        var cancel: (@Sendable () -> Void)?
    }

    let url: URL
    /// scheme://host, all the log ever shows of the URL.
    let label: String
    private let client: WebhookHTTPClient
    private let policy: WebhookRetryPolicy
    private let logger: Logger
    private let queue = DispatchQueue(label: "status.webhook")
    private let line = Mutex(Line())

    init(url: URL, client: WebhookHTTPClient, policy: WebhookRetryPolicy, logger: Logger) {
        self.url = url
        self.label = WebhookConfiguration.redacted(url)
        self.client = client
        self.policy = policy
        self.logger = logger
    }

    /// Events queued and not yet delivered or given up (the one in flight included).
    var count: Int { line.withLock { $0.pending.count } }

    /// True when nothing is queued or in flight.
    var isIdle: Bool { line.withLock { $0.pending.isEmpty && $0.phase == .idle } }

    /// Queues an event behind the others; returns at once.
    func enqueue(_ event: IncidentEvent, _ message: WebhookMessage, done: (@Sendable (Bool) -> Void)? = nil) {
        let (start, dropped) = line.withLock { line -> (Bool, Pending?) in
            guard !line.stopped else { return (false, nil) }
            line.pending.append(Pending(sequence: line.nextSequence, event: event, message: message, queuedAt: .now(),
                                        done: done))
            line.nextSequence += 1
            var dropped: Pending?
            let inFlight = line.phase == .sending ? 1 : 0
            if line.pending.count - inFlight > policy.maximumPending { dropped = line.pending.remove(at: inFlight) }
            let start = line.phase == .idle
            if start { line.phase = .sending }
            return (start, dropped)
        }
        if let dropped {
            dropped.done?(false)
            logger.warning("webhook_dropped", ["webhook": label, "host": dropped.event.domain,
                                               "kind": WebhookMessage.eventName(dropped.event.kind),
                                               "reason": "more than \(policy.maximumPending) events waiting"])
        }
        if start { queue.async { self.sendHead() } }
    }

    /// Cancels the request in flight and forgets what waits; nothing is sent afterwards.
    func stop() {
        let running = line.withLock { line -> (@Sendable () -> Void)? in
            line.stopped = true
            line.pending.removeAll()
            line.phase = .idle
            defer { line.cancel = nil }
            return line.cancel
        }
        running?()
    }

    private func sendHead() {
        let next = line.withLock { line -> Pending? in
            guard !line.stopped, var head = line.pending.first else {
                line.phase = .idle
                return nil
            }
            line.phase = .sending
            head.attempts += 1
            line.pending[0] = head
            return head
        }
        guard let sent = next else { return }
        let cancelRequest = client.post(sent.message, to: url) { [weak self] outcome in
            guard let self else { return }
            self.queue.async { self.finished(sent, outcome) }
        }
        line.withLock { line in
            if !line.stopped, line.phase == .sending, line.pending.first?.sequence == sent.sequence { line.cancel = cancelRequest }
        }
    }

    private func finished(_ head: Pending, _ outcome: WebhookRetryPolicy.Outcome) {
        let current = line.withLock { line -> Bool in
            guard !line.stopped, line.pending.first?.sequence == head.sequence else { return false }
            line.cancel = nil
            return true
        }
        guard current else { return }
        switch outcome {
        case .delivered(let status):
            logger.debug("webhook_delivered", ["webhook": label, "host": head.event.domain,
                                               "kind": WebhookMessage.eventName(head.event.kind), "status": status,
                                               "attempts": head.attempts,
                                               "after_s": String(format: "%.3f", MonotonicInstant.now().seconds(since: head.queuedAt))])
            head.done?(true)
            removeHeadAndContinue()
        case .failed(let reason):
            fail(head, reason)
        case .retry(let reason, let retryAfter):
            let delay = policy.delay(afterFailures: head.attempts, retryAfter: retryAfter,
                                     random: Double.random(in: policy.jitter))
            let age = MonotonicInstant.now().seconds(since: head.queuedAt)
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
            line.withLock { if !$0.stopped { $0.phase = .waiting } }
            queue.asyncAfter(deadline: .now() + delay) { [weak self] in self?.sendHead() }
        }
    }

    private func fail(_ head: Pending, _ reason: String) {
        logger.error("webhook_failed", ["webhook": label, "host": head.event.domain,
                                        "kind": WebhookMessage.eventName(head.event.kind), "reason": reason,
                                        "attempts": head.attempts])
        head.done?(false)
        removeHeadAndContinue()
    }

    private func removeHeadAndContinue() {
        line.withLock { if !$0.pending.isEmpty { $0.pending.removeFirst() } }
        sendHead()
    }
}
