// The contract's JSON payloads: a check and an incident, and arrays of them. Field names and types are fixed;
// added fields (rtt_ms, loss_pct) stand beside them.
import Foundation

public enum Payloads {
    /// `{"id":1,"domain":"nas.lan","last_performed":"…Z"|null,"status":true,"rtt_ms":0.42|null,"loss_pct":1.563|null}`
    public static func check(_ host: HostStatus) -> String {
        let rtt = host.lastRTTMilliseconds.map(JSONText.fixed3) ?? "null"
        let loss = host.recent.lossPercent.map(JSONText.fixed3) ?? "null"
        return "{\"id\":\(host.check.id),\"domain\":\(JSONText.string(host.check.domain))," +
            "\"last_performed\":\(JSONText.time(host.check.lastPerformed)),\"status\":\(host.reportedUp)," +
            "\"rtt_ms\":\(rtt),\"loss_pct\":\(loss)}"
    }

    /// `{"id":7,"check_id":1,"description":"…","down_detection":"…Z","up_detection":"…Z"|null}`
    public static func incident(_ incident: Incident) -> String {
        "{\"id\":\(incident.id),\"check_id\":\(incident.checkID),\"description\":\(JSONText.string(incident.description))," +
            "\"down_detection\":\(JSONText.string(JSONText.time(incident.downDetection)))," +
            "\"up_detection\":\(JSONText.time(incident.upDetection))}"
    }

    public static func array<T>(_ items: [T], _ encode: (T) -> String) -> [UInt8] {
        Array(("[" + items.map(encode).joined(separator: ",") + "]").utf8)
    }
}
