// MONITORING_QUORUM: how many of the live probes that watch a host must see it down for the host to be down, and
// up for it to be up again.

package enum Quorum: Equatable, Sendable, CustomStringConvertible {
    /// Any one probe decides (what a lone probe does).
    case one
    /// More than half of the live probes (the default).
    case majority
    /// Every live probe.
    case all
    /// This many, or every live probe when fewer are live (a dead probe never blocks a decision).
    case count(Int)

    /// `1`, `majority`, `all` or a whole number from 1 to 100; nil otherwise.
    package init?(_ text: String) {
        switch text.lowercased() {
        case "majority": self = .majority
        case "all": self = .all
        case "1": self = .one
        default:
            guard text.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(text), (1...100).contains(number)
            else { return nil }
            self = .count(number)
        }
    }

    /// How many of `live` probes must agree (at least 1).
    package func required(live: Int) -> Int {
        let live = max(live, 1)
        switch self {
        case .one: return 1
        case .majority: return live / 2 + 1
        case .all: return live
        case .count(let number): return min(number, live)
        }
    }

    package var description: String {
        switch self {
        case .one: return "1"
        case .majority: return "majority"
        case .all: return "all"
        case .count(let number): return "\(number)"
        }
    }
}
