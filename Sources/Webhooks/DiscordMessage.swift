// The `discord` format (Discord's "execute webhook"): `{"content":"..."}` of at most 2,000 characters, with
// mentions switched off so no host name or cause can ping @everyone.
import Encoding

enum DiscordMessage {
    /// Discord refuses longer content; counted in UTF-16 units, which is never less than Discord's count.
    static let maximumLength = 2000

    static func message(_ event: IncidentEvent) -> WebhookMessage {
        let host = "**\(markdownEscaped(event.label))**"
        let behind = markdownEscaped(event.behindText)
        let content: String
        if event.kind == .opened {
            content = "🔴 \(host) is down: \(markdownEscaped(event.cause))\(behind)"
        } else if let seconds = event.durationSeconds {
            content = "🟢 \(host) is up again after \(HumanDuration.text(seconds: seconds))\(behind)"
        } else {
            content = "🟢 \(host) is up again\(behind)"
        }
        var json = JSONBuffer(capacity: 256)
        json.raw("{\"content\":")
        json.string(cut(content))
        json.raw(",\"allowed_mentions\":{\"parse\":[]}}")
        return WebhookMessage(body: json.bytes, headers: ["Content-Type": "application/json"])
    }

    /// `text` if it fits, else its first whole characters and "…", `maximumLength` UTF-16 units in all.
    static func cut(_ text: String) -> String {
        guard text.utf16.count > maximumLength else { return text }
        var kept = ""
        var length = 0
        for character in text {
            let width = character.utf16.count
            guard length + width <= maximumLength - 1 else { break }
            kept.append(character)
            length += width
        }
        return kept + "…"
    }

    /// Backslash before Discord's markdown characters, so `my_nas` does not turn italic.
    static func markdownEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "\\*_~`|".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
