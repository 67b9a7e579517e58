// A host's answered pings since start, counted in a few fixed round-trip-time buckets, for /metrics'
// `status_host_rtt_seconds` histogram (Grafana's heatmaps and histogram_quantile). The long-term distribution is
// the history's (History's RTTSketch); this one only has to be cheap and cumulative.

package struct RTTHistogram: Equatable, Sendable {
    /// Upper bounds in seconds (the last bucket, +Inf, is implicit): wired LAN, Wi-Fi, WAN, a bad link.
    package static let bounds: [Double] = [0.0005, 0.001, 0.005, 0.02, 0.1, 0.5]
    private var counts: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0, 0, 0)
    /// Seconds, over every counted reply.
    package private(set) var sum: Double = 0

    package init() {}

    package mutating func record(milliseconds: Double) {
        let seconds = milliseconds / 1000
        sum += seconds
        switch seconds {
        case ...0.0005: counts.0 &+= 1
        case ...0.001: counts.1 &+= 1
        case ...0.005: counts.2 &+= 1
        case ...0.02: counts.3 &+= 1
        case ...0.1: counts.4 &+= 1
        case ...0.5: counts.5 &+= 1
        default: counts.6 &+= 1
        }
    }

    /// Replies at or below each bound, then all of them (the +Inf bucket): Prometheus' cumulative counts.
    package var cumulative: [UInt64] {
        var total: UInt64 = 0
        return [counts.0, counts.1, counts.2, counts.3, counts.4, counts.5, counts.6].map { count in
            total += UInt64(count)
            return total
        }
    }

    package static func == (a: RTTHistogram, b: RTTHistogram) -> Bool { a.cumulative == b.cumulative && a.sum == b.sum }
}
