// The `ntfy` format (https://docs.ntfy.sh/publish/): a plain-text POST to the topic URL, with the title, tags
// and priority in headers. The body keeps its UTF-8; header values are cut down to plain ASCII.

enum NtfyMessage {
    static func message(_ event: IncidentEvent) -> WebhookMessage {
        let down = event.kind == .opened
        let text: String
        if down {
            text = "\(event.label) is down: \(event.cause)\(event.behindText)"
        } else if let seconds = event.durationSeconds {
            text = "\(event.label) is up again after \(HumanDuration.text(seconds: seconds))\(event.behindText)"
        } else {
            text = "\(event.label) is up again\(event.behindText)"
        }
        return WebhookMessage(body: Array(text.utf8), headers: [
            "Content-Type": "text/plain; charset=utf-8",
            "Title": WebhookMessage.headerValue("status: \(event.domain) \(down ? "down" : "up")"),
            "Tags": down ? "red_circle" : "green_circle",
            "Priority": down ? "high" : "default",
        ])
    }
}
