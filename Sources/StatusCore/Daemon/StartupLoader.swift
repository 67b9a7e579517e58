// Start-up's database step: migrate the schema, register the configured hosts and find their ongoing
// incidents, retrying with back-off while the database is not there yet (e.g. its container is starting).
import Foundation
import Glibc

public enum StartupLoader {
    public struct Loaded {
        public var checks: [Check]
        public var downCheckIDs: Set<Int64>
    }

    /// Blocks the calling thread (never a timer queue or event loop) until the database answers, or returns nil
    /// once `shouldStop` says so. Errors other than "unavailable" are retried too, at the longest back-off.
    public static func load(hosts: [HostSpec], writer: StoreWriter, logger: Logger,
                            shouldStop: () -> Bool) -> Loaded? {
        var delay = 0.5
        while !shouldStop() {
            do {
                return try writer.sync { store in
                    try store.migrate()
                    let checks = try store.registerChecks(domains: hosts.map(\.domain))
                    var down: Set<Int64> = []
                    for check in checks where try store.ongoingIncident(checkID: check.id) != nil {
                        down.insert(check.id)
                    }
                    return Loaded(checks: checks, downCheckIDs: down)
                }
            } catch {
                logger.warning("database_wait", ["reason": "\(error)", "retry_in_s": String(format: "%.1f", delay)])
                let deadline = Date().addingTimeInterval(delay)
                while Date() < deadline, !shouldStop() { usleep(50_000) }
                delay = min(delay * 2, 5)
            }
        }
        return nil
    }
}
