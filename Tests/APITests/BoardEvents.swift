// Feeding a status board the monitor's events in API tests, as the monitor would.
import Foundation
import ICMP
import Monitor

extension StatusBoard {
    /// One ping of the host at `position`, completed at `at`, leaving it down or up.
    func ping(_ position: Int, at: Date = Date(), down: Bool, rtt: Double? = nil) {
        let outcome: PingOutcome = rtt.map { .reply(rttMilliseconds: $0) } ?? .failed(.timeout)
        monitor(.pinged(PingReport(host: position, domain: domain(at: position), outcome: outcome, sentAt: at,
                                   completedAt: at, isDown: down, downSince: down ? at : nil, flipped: false)))
    }
}
