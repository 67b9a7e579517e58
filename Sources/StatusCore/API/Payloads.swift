// The contract's JSON payloads: a check and an incident, and arrays of them, written as bytes. Field names and
// types are fixed; added fields (rtt_ms, loss_pct) stand beside them.
import Foundation

public enum Payloads {
    /// `{"id":1,"domain":"nas.lan","last_performed":"…Z"|null,"status":true,"rtt_ms":0.42|null,"loss_pct":1.563|null}`
    public static func check(_ host: HostStatus, into json: inout JSONBuffer) {
        json.raw("{\"id\":")
        json.integer(host.check.id)
        json.raw(",\"domain\":")
        json.string(host.check.domain)
        json.raw(",\"last_performed\":")
        json.time(host.check.lastPerformed)
        json.raw(",\"status\":")
        json.bool(host.reportedUp)
        json.raw(",\"rtt_ms\":")
        json.fixed3(host.lastRTTMilliseconds)
        json.raw(",\"loss_pct\":")
        json.fixed3(host.recent.lossPercent)
        json.raw("}")
    }

    /// `{"id":7,"check_id":1,"description":"…","down_detection":"…Z","up_detection":"…Z"|null}`
    public static func incident(_ incident: Incident, into json: inout JSONBuffer) {
        json.raw("{\"id\":")
        json.integer(incident.id)
        json.raw(",\"check_id\":")
        json.integer(incident.checkID)
        json.raw(",\"description\":")
        json.string(incident.description)
        json.raw(",\"down_detection\":")
        json.time(incident.downDetection)
        json.raw(",\"up_detection\":")
        json.time(incident.upDetection)
        json.raw("}")
    }

    /// One payload as bytes.
    public static func one<T>(_ item: T, _ encode: (T, inout JSONBuffer) -> Void) -> [UInt8] {
        var json = JSONBuffer(capacity: 192)
        encode(item, &json)
        return json.bytes
    }

    /// A JSON array of payloads as bytes; `sizeHint` is the expected bytes per item.
    public static func array<T>(_ items: [T], sizeHint: Int = 160, _ encode: (T, inout JSONBuffer) -> Void) -> [UInt8] {
        var json = JSONBuffer(capacity: 2 + items.count * sizeHint)
        json.raw("[")
        for (index, item) in items.enumerated() {
            if index > 0 { json.raw(",") }
            encode(item, &json)
        }
        json.raw("]")
        return json.bytes
    }
}
