// The bodies of /status and /status/down, serialised once per change of the status board and reused by every
// request until the next change, with an ETag so polling dashboards get 304 Not Modified.
import Foundation

final class StatusBodies: @unchecked Sendable {
    struct Bodies {
        var all: [UInt8]
        var down: [UInt8]
        /// A strong validator: this process's random tag and the board's version.
        var etag: String
    }

    private let board: StatusBoard
    private let lock = NSLock()
    private var cached: (version: UInt64, bodies: Bodies)?
    /// Tells this process's ETags from an earlier run's, whose versions started at 0 too.
    private let processTag = String(UInt64.random(in: 0...UInt64.max), radix: 36)

    init(board: StatusBoard) {
        self.board = board
    }

    /// The current bodies; serialises only when the board changed since the last call.
    func current() -> Bodies {
        lock.lock()
        defer { lock.unlock() }
        if let cached, board.snapshot(ifChangedSince: cached.version) == nil { return cached.bodies }
        guard let (hosts, version) = board.snapshot(ifChangedSince: nil) else { return cached?.bodies ?? empty }
        let bodies = Bodies(all: Payloads.array(hosts, Payloads.check),
                            down: Payloads.array(hosts.filter { !$0.reportedUp }, Payloads.check),
                            etag: "\"\(processTag)-\(version)\"")
        cached = (version, bodies)
        return bodies
    }

    private var empty: Bodies { Bodies(all: Array("[]".utf8), down: Array("[]".utf8), etag: "\"\(processTag)-empty\"") }

    /// True when an If-None-Match header lists `etag` (weak comparison, as RFC 9110 §13.1.2 asks) or is "*".
    static func matches(_ ifNoneMatch: String?, _ etag: String) -> Bool {
        guard let ifNoneMatch else { return false }
        for candidate in ifNoneMatch.split(separator: ",") {
            var tag = candidate.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            if tag == etag { return true }
        }
        return false
    }
}
