// Which URLs hear about incidents and in which body format: WEBHOOK_URL, WEBHOOK_URLS and WEBHOOK_FORMAT, validated.
import Foundation

public struct WebhookConfiguration: Equatable, Sendable {
    /// The body shape every URL receives.
    public enum Format: String, Equatable, Sendable, CaseIterable {
        /// `{"event":"incident_opened",...}`, for scripts and home automation.
        case json
        /// A plain-text ntfy.sh publish with Title, Tags and Priority headers.
        case ntfy
        /// A Discord webhook execute: `{"content":"..."}`.
        case discord
    }

    /// In configuration order (WEBHOOK_URL first, then WEBHOOK_URLS), without duplicates. Empty: no webhooks.
    public var urls: [URL]
    public var format: Format

    public init(urls: [URL] = [], format: Format = .json) {
        self.urls = urls
        self.format = format
    }

    /// Reads WEBHOOK_URL, WEBHOOK_URLS (comma-separated) and WEBHOOK_FORMAT. A bad entry is refused with an error
    /// naming its variable and that entry only, so the other URLs' tokens are not printed with it.
    static func fromEnvironment(_ environment: [String: String]) throws -> WebhookConfiguration {
        var urls: [URL] = []
        var seen: Set<String> = []
        for variable in ["WEBHOOK_URL", "WEBHOOK_URLS"] {
            guard let value = environment[variable] else { continue }
            let entries = variable == "WEBHOOK_URLS" ? value.split(separator: ",").map(String.init) : [value]
            for entry in entries {
                let text = entry.trimmingCharacters(in: .whitespaces)
                if text.isEmpty { continue }
                let url = try parseURL(variable, text)
                if seen.insert(url.absoluteString).inserted { urls.append(url) }
            }
        }
        return WebhookConfiguration(urls: urls, format: try parseFormat(environment["WEBHOOK_FORMAT"]))
    }

    /// An absolute http:// or https:// URL with a host, and no spaces or control characters.
    static func parseURL(_ variable: String, _ text: String) throws -> URL {
        guard !text.unicodeScalars.contains(where: { $0.value <= 32 || $0.value == 127 }) else {
            throw ConfigurationError(variable, text, "must not contain spaces or control characters")
        }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else {
            throw ConfigurationError(variable, text, "not an http:// or https:// URL with a host (e.g. https://ntfy.sh/my-topic)")
        }
        return url
    }

    static func parseFormat(_ value: String?) throws -> Format {
        let text = value?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        if text.isEmpty { return .json }
        guard let format = Format(rawValue: text) else {
            throw ConfigurationError("WEBHOOK_FORMAT", value, "must be json, ntfy or discord")
        }
        return format
    }

    /// `scheme://host[:port]` of a URL, for logs: Discord and ntfy URLs carry their secret in the path, so the
    /// path, query and user info are never logged.
    public static func redacted(_ url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? "?"
        var host = url.host ?? "?"
        if host.contains(":"), !host.hasPrefix("[") { host = "[\(host)]" }
        guard let port = url.port else { return "\(scheme)://\(host)" }
        return "\(scheme)://\(host):\(port)"
    }
}
