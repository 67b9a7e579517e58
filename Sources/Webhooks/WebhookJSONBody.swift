// The `json` format: one flat object per event, for scripts and home automation (Home Assistant, n8n, ...).
//   {"event":"incident_opened","host":"nas.lan","check_id":1,"cause":"...","down_detection":"...Z",
//    "up_detection":null,"duration_s":null,"name":"NAS","dependents":["printer.lan"]}
import Encoding

enum WebhookJSONBody {
    static func message(_ event: IncidentEvent) -> WebhookMessage {
        var json = JSONBuffer(capacity: 256)
        json.raw("{\"event\":")
        json.string(WebhookMessage.eventName(event.kind))
        json.raw(",\"host\":")
        json.string(event.domain)
        json.raw(",\"check_id\":")
        json.integer(event.checkID)
        json.raw(",\"cause\":")
        json.string(event.cause)
        json.raw(",\"down_detection\":")
        json.time(event.downDetection)
        json.raw(",\"up_detection\":")
        json.time(event.upDetection)
        json.raw(",\"duration_s\":")
        json.fixed3(event.durationSeconds)
        json.raw(",\"name\":")
        json.string(event.name)
        json.raw(",\"dependents\":[")
        for (index, dependent) in event.dependents.enumerated() {
            if index > 0 { json.raw(",") }
            json.string(dependent)
        }
        json.raw("]}")
        return WebhookMessage(body: json.bytes, headers: ["Content-Type": "application/json"])
    }
}
