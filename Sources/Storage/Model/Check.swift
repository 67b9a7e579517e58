// A check: the state of one monitored host at its last ping, as the API and the store know it.
import Foundation

/// One monitored host. `id` is stable for a domain across restarts; `lastPerformed` is nil before the first ping.
package struct Check: Equatable, Sendable {
    package var id: Int64
    package var domain: String
    package var lastPerformed: Date?
    package var status: Bool

    package init(id: Int64, domain: String, lastPerformed: Date?, status: Bool) {
        self.id = id
        self.domain = domain
        self.lastPerformed = lastPerformed
        self.status = status
    }
}
