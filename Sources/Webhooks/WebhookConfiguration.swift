// Which URLs hear about incidents and in which body format (the daemon reads them from WEBHOOK_URL, WEBHOOK_URLS
// and WEBHOOK_FORMAT).
import Foundation

package struct WebhookConfiguration: Equatable, Sendable {
    /// The body shape every URL receives.
    package enum Format: String, Equatable, Sendable, CaseIterable {
        /// `{"event":"incident_opened",...}`, for scripts and home automation.
        case json
        /// A plain-text ntfy.sh publish with Title, Tags and Priority headers.
        case ntfy
        /// A Discord webhook execute: `{"content":"..."}`.
        case discord
    }

    /// In configuration order (WEBHOOK_URL first, then WEBHOOK_URLS), without duplicates. Empty: no webhooks.
    package var urls: [URL]
    package var format: Format

    package init(urls: [URL] = [], format: Format = .json) {
        self.urls = urls
        self.format = format
    }

    /// `scheme://host[:port]` of a URL, for logs: Discord and ntfy URLs carry their secret in the path, so the
    /// path, query and user info are never logged.
    package static func redacted(_ url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? "?"
        var host = url.host ?? "?"
        if host.contains(":"), !host.hasPrefix("[") { host = "[\(host)]" }
        guard let port = url.port else { return "\(scheme)://\(host)" }
        return "\(scheme)://\(host):\(port)"
    }
}
