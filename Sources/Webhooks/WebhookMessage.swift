// One webhook request's content, built once per event and sent to every URL: body bytes and headers.
import Foundation

package struct WebhookMessage: Equatable, Sendable {
    package var body: [UInt8]
    /// Content-Type included; values are ASCII without CR or LF.
    package var headers: [String: String]

    package init(body: [UInt8], headers: [String: String]) {
        self.body = body
        self.headers = headers
    }

    /// The event in the configured format (pure: the same event gives the same bytes).
    package init(_ event: IncidentEvent, format: WebhookConfiguration.Format) {
        switch format {
        case .json: self = WebhookJSONBody.message(event)
        case .ntfy: self = NtfyMessage.message(event)
        case .discord: self = DiscordMessage.message(event)
        }
    }

    /// The body as text (it is always UTF-8).
    package var text: String { String(decoding: body, as: UTF8.self) }

    /// `incident_opened` or `incident_closed`: the json body's `event`, and the log lines' `event_kind`.
    static func eventName(_ kind: IncidentEvent.Kind) -> String {
        kind == .opened ? "incident_opened" : "incident_closed"
    }

    /// A header value that no server can misread: printable ASCII only (CR, LF, other controls and
    /// non-ASCII are dropped), without leading or trailing spaces.
    static func headerValue(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F })
        return String(scalars).trimmingCharacters(in: .whitespaces)
    }
}
