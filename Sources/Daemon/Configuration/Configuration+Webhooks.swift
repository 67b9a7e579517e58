// WEBHOOK_URL, WEBHOOK_URLS and WEBHOOK_FORMAT: who hears about incidents opening and closing, validated.
import Foundation
import Webhooks

extension Configuration {
    /// Reads WEBHOOK_URL, WEBHOOK_URLS (comma-separated) and WEBHOOK_FORMAT. A bad entry is refused with an error
    /// naming its variable and that entry only, so the other URLs' tokens are not printed with it.
    static func webhooks(_ environment: [String: String]) throws -> WebhookConfiguration {
        var urls: [URL] = []
        var seen: Set<String> = []
        for variable in ["WEBHOOK_URL", "WEBHOOK_URLS"] {
            guard let value = environment[variable] else { continue }
            let entries = variable == "WEBHOOK_URLS" ? value.split(separator: ",").map(String.init) : [value]
            for entry in entries {
                let text = entry.trimmingCharacters(in: .whitespaces)
                if text.isEmpty { continue }
                let url = try parseWebhookURL(variable, text)
                if seen.insert(url.absoluteString).inserted { urls.append(url) }
            }
        }
        return WebhookConfiguration(urls: urls, format: try parseWebhookFormat(environment["WEBHOOK_FORMAT"]))
    }

    /// An absolute http:// or https:// URL with a host, and no spaces or control characters.
    static func parseWebhookURL(_ variable: String, _ text: String) throws -> URL {
        guard !text.unicodeScalars.contains(where: { $0.value <= 32 || $0.value == 127 }) else {
            throw ConfigurationError(variable, text, "must not contain spaces or control characters")
        }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else {
            throw ConfigurationError(variable, text, "not an http:// or https:// URL with a host (e.g. https://ntfy.sh/my-topic)")
        }
        return url
    }

    static func parseWebhookFormat(_ value: String?) throws -> WebhookConfiguration.Format {
        let text = value?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        if text.isEmpty { return .json }
        guard let format = WebhookConfiguration.Format(rawValue: text) else {
            throw ConfigurationError("WEBHOOK_FORMAT", value, "must be json, ntfy or discord")
        }
        return format
    }
}
