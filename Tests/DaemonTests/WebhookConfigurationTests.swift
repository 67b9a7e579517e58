// WEBHOOK_URL, WEBHOOK_URLS and WEBHOOK_FORMAT: defaults, union and order, each bad value's error, and redaction.
import Foundation
import Testing
@testable import Daemon
import Logging
import Monitor
import Storage
import Webhooks

@Suite struct WebhookConfigurationTests {
    let base = ["MONITORING_HOSTS": "nas.lan"]

    func parse(_ extra: [String: String]) throws -> WebhookConfiguration {
        try Configuration.fromEnvironment(base.merging(extra) { $1 }).webhooks
    }

    @Test func unsetMeansNoWebhooksAndJSON() throws {
        let webhooks = try parse([:])
        #expect(webhooks.urls.isEmpty)
        #expect(webhooks.format == .json)
        #expect(try parse(["WEBHOOK_URL": "", "WEBHOOK_URLS": " , ", "WEBHOOK_FORMAT": ""]) == WebhookConfiguration())
    }

    @Test func urlAndURLsAreJoinedInOrderWithoutDuplicates() throws {
        let webhooks = try parse([
            "WEBHOOK_URL": "https://ntfy.sh/alerts",
            "WEBHOOK_URLS": " http://hooks.lan:8123/api/webhook/x ,https://ntfy.sh/alerts,, https://discord.com/api/webhooks/1/t0k3n,http://hooks.lan:8123/api/webhook/x",
        ])
        #expect(webhooks.urls.map(\.absoluteString) == [
            "https://ntfy.sh/alerts", "http://hooks.lan:8123/api/webhook/x", "https://discord.com/api/webhooks/1/t0k3n",
        ])
    }

    @Test(arguments: ["json", "ntfy", "discord", " NTFY "])
    func formats(text: String) throws {
        #expect(try parse(["WEBHOOK_FORMAT": text]).format.rawValue == text.trimmingCharacters(in: .whitespaces).lowercased())
    }

    /// Each bad value is refused with an error naming its variable and the bad entry (not the other URLs).
    @Test(arguments: [
        ("WEBHOOK_URLS", "https://ok.lan/a,ftp://x", "ftp://x"), ("WEBHOOK_URL", "ntfy.sh/alerts", "ntfy.sh/alerts"),
        ("WEBHOOK_URL", "https:///path-only", "https:///path-only"), ("WEBHOOK_URLS", "mailto:me@example.org", "mailto:me@example.org"),
        ("WEBHOOK_URLS", "http://a b.lan/", "http://a b.lan/"), ("WEBHOOK_URL", "file:///etc/passwd", "file:///etc/passwd"),
        ("WEBHOOK_FORMAT", "slack", "slack"), ("WEBHOOK_FORMAT", "JSONL", "JSONL"),
    ] as [(String, String, String)])
    func badValueNamesItsVariable(variable: String, value: String, named: String) {
        do {
            _ = try parse([variable: value])
            Issue.record("\(variable)=\(value) was accepted")
        } catch let error as ConfigurationError {
            #expect(error.variable == variable)
            #expect(error.value == named)
            #expect(error.description.hasPrefix("\(variable)=\"\(named)\": "))
            #expect(!error.description.contains("https://ok.lan"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func logsShowOnlySchemeAndHost() throws {
        let urls = try parse(["WEBHOOK_URLS": "https://discord.com/api/webhooks/1/s3cret?wait=true,http://user:pw@[::1]:8080/hook,HTTP://Hooks.lan/x"]).urls
        #expect(urls.map(WebhookConfiguration.redacted) == ["https://discord.com", "http://[::1]:8080", "http://Hooks.lan"])
    }
}
