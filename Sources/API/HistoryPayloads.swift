// The history endpoints' JSON: a bucket `{"start","end","sent","replies","loss_pct","rtt_ms":{"min","p10","p50",
// "p90","max","mean","stddev"}}` (loss_pct null when nothing was sent, every rtt_ms figure null without a reply),
// an array of them oldest first, and for GET /status/history one `{"domain","buckets"}` per host, or with
// `form=compact` each host's figures as arrays.
import Encoding
import Foundation
import History

package enum HistoryPayloads {
    /// One host's buckets.
    package static func buckets(_ rollups: [PingRollup], query: HistoryQuery) -> [UInt8] {
        var json = JSONBuffer(capacity: 2 + rollups.count * 200)
        buckets(rollups, query: query, into: &json)
        return json.bytes
    }

    /// Every host's buckets, in the order given.
    package static func hosts(_ domains: [String], _ rollups: [[PingRollup]], query: HistoryQuery) -> [UInt8] {
        var json = JSONBuffer(capacity: 2 + domains.count * (40 + query.count * 200))
        json.raw("[")
        for (index, domain) in domains.enumerated() where index < rollups.count {
            if index > 0 { json.raw(",") }
            json.raw("{\"domain\":")
            json.string(domain)
            json.raw(",\"buckets\":")
            buckets(rollups[index], query: query, into: &json)
            json.raw("}")
        }
        json.raw("]")
        return json.bytes
    }

    /// Every host's figures as arrays, one entry per bucket (`form=compact`, a seventh of the bytes, for the
    /// dashboard's sparklines): `{"domain","start","step_s","sent":[…],"replies":[…],"p10_ms":[…],"p50_ms":[…],
    /// "p90_ms":[…]}`, a quantile null where a bucket had no reply.
    package static func compact(_ domains: [String], _ rollups: [[PingRollup]], query: HistoryQuery) -> [UInt8] {
        var json = JSONBuffer(capacity: 2 + domains.count * (120 + query.count * 30))
        json.raw("[")
        for (index, domain) in domains.enumerated() where index < rollups.count {
            if index > 0 { json.raw(",") }
            let host = rollups[index]
            json.raw("{\"domain\":")
            json.string(domain)
            json.raw(",\"start\":")
            json.time(Date(timeIntervalSince1970: Double(query.first)))
            json.raw(",\"step_s\":")
            json.integer(query.step)
            json.raw(",\"sent\":[")
            for (at, rollup) in host.enumerated() {
                if at > 0 { json.raw(",") }
                json.integer(Int64(rollup.sent))
            }
            json.raw("],\"replies\":[")
            for (at, rollup) in host.enumerated() {
                if at > 0 { json.raw(",") }
                json.integer(Int64(rollup.replies))
            }
            json.raw("]")
            for (name, q) in [(",\"p10_ms\":[", 0.1), (",\"p50_ms\":[", 0.5), (",\"p90_ms\":[", 0.9)] as [(StaticString, Double)] {
                json.raw(name)
                for (at, rollup) in host.enumerated() {
                    if at > 0 { json.raw(",") }
                    json.fixed3(rollup.quantile(q))
                }
                json.raw("]")
            }
            json.raw("}")
        }
        json.raw("]")
        return json.bytes
    }

    static func buckets(_ rollups: [PingRollup], query: HistoryQuery, into json: inout JSONBuffer) {
        json.raw("[")
        for (index, rollup) in rollups.enumerated() {
            if index > 0 { json.raw(",") }
            let start = query.bucketStart(index)
            json.raw("{\"start\":")
            json.time(Date(timeIntervalSince1970: Double(start)))
            json.raw(",\"end\":")
            json.time(Date(timeIntervalSince1970: Double(start + query.step)))
            json.raw(",\"sent\":")
            json.integer(Int64(rollup.sent))
            json.raw(",\"replies\":")
            json.integer(Int64(rollup.replies))
            json.raw(",\"loss_pct\":")
            json.fixed3(rollup.lossPercent)
            guard rollup.replies > 0 else {
                json.raw(",\"rtt_ms\":{\"min\":null,\"p10\":null,\"p50\":null,\"p90\":null,\"max\":null,\"mean\":null,\"stddev\":null}}")
                continue
            }
            json.raw(",\"rtt_ms\":{\"min\":")
            json.fixed3(rollup.minimum)
            json.raw(",\"p10\":")
            json.fixed3(rollup.quantile(0.1))
            json.raw(",\"p50\":")
            json.fixed3(rollup.quantile(0.5))
            json.raw(",\"p90\":")
            json.fixed3(rollup.quantile(0.9))
            json.raw(",\"max\":")
            json.fixed3(rollup.maximum)
            json.raw(",\"mean\":")
            json.fixed3(rollup.mean)
            json.raw(",\"stddev\":")
            json.fixed3(rollup.standardDeviation)
            json.raw("}}")
        }
        json.raw("]")
    }
}
