// A check: the state of one monitored host at its last ping, as the API and the store know it.
import Foundation

/// One monitored host. `id` is stable for a domain across restarts; `lastPerformed` is nil before the first ping.
public struct Check: Equatable, Sendable {
    public var id: Int64
    public var domain: String
    public var lastPerformed: Date?
    public var status: Bool

    public init(id: Int64, domain: String, lastPerformed: Date?, status: Bool) {
        self.id = id
        self.domain = domain
        self.lastPerformed = lastPerformed
        self.status = status
    }
}
