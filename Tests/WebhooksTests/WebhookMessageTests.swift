// The webhook bodies, byte for byte: json, ntfy and discord for an opened and a closed incident, escaping of
// hostile text, Discord's length limit, and the duration people read.
import Foundation
import Testing
@testable import Webhooks
import Logging
import Platform
import TestSupport

@Suite struct WebhookMessageTests {
    /// 2026-11-24T21:01:00.000Z
    static let down = Date(timeIntervalSince1970: 1_795_554_060)
    let opened = IncidentEvent(kind: .opened, domain: "nas.lan", checkID: 1, cause: "no reply to 3 pings (timeout 1s)",
                               downDetection: down, upDetection: nil)
    let closed = IncidentEvent(kind: .closed, domain: "nas.lan", checkID: 1, cause: "no reply to 3 pings (timeout 1s)",
                               downDetection: down, upDetection: down.addingTimeInterval(123.456))
    /// A cause with a quote, a backslash, a newline, a tab, a control byte, U+2028 and non-ASCII text.
    let hostile = IncidentEvent(kind: .opened, domain: "my_nas.lan", checkID: 42,
                                cause: "say \"hi\"\\ \n\tbell\u{7} \u{2028} ünï 🐛 @everyone *bold*",
                                downDetection: down, upDetection: nil)

    @Test func jsonOpenedAndClosed() {
        let open = WebhookMessage(opened, format: .json)
        #expect(open.text == #"{"event":"incident_opened","host":"nas.lan","check_id":1,"cause":"no reply to 3 pings (timeout 1s)","down_detection":"2026-11-24T21:01:00.000Z","up_detection":null,"duration_s":null,"name":"nas.lan","dependents":[]}"#)
        #expect(open.headers == ["Content-Type": "application/json"])
        let close = WebhookMessage(closed, format: .json)
        #expect(close.text == #"{"event":"incident_closed","host":"nas.lan","check_id":1,"cause":"no reply to 3 pings (timeout 1s)","down_detection":"2026-11-24T21:01:00.000Z","up_detection":"2026-11-24T21:03:03.456Z","duration_s":123.456,"name":"nas.lan","dependents":[]}"#)
        #expect(close.headers == ["Content-Type": "application/json"])
    }

    @Test func jsonEscapesHostileText() throws {
        let message = WebhookMessage(hostile, format: .json)
        #expect(message.text == #"{"event":"incident_opened","host":"my_nas.lan","check_id":42,"cause":"say \"hi\"\\ \n\tbell\u0007 \u2028 ünï 🐛 @everyone *bold*","down_detection":"2026-11-24T21:01:00.000Z","up_detection":null,"duration_s":null,"name":"my_nas.lan","dependents":[]}"#)
        // And a JSON parser reads the original text back.
        let object = try JSONSerialization.jsonObject(with: Data(message.body)) as? [String: Any]
        #expect(object?["cause"] as? String == hostile.cause)
    }

    @Test func ntfyOpenedAndClosed() {
        let open = WebhookMessage(opened, format: .ntfy)
        #expect(open.text == "nas.lan is down: no reply to 3 pings (timeout 1s)")
        #expect(open.headers == ["Content-Type": "text/plain; charset=utf-8", "Title": "status: nas.lan down",
                                 "Tags": "red_circle", "Priority": "high"])
        let close = WebhookMessage(closed, format: .ntfy)
        #expect(close.text == "nas.lan is up again after 2m 3s")
        #expect(close.headers == ["Content-Type": "text/plain; charset=utf-8", "Title": "status: nas.lan up",
                                  "Tags": "green_circle", "Priority": "default"])
    }

    @Test func ntfyKeepsUTF8InTheBodyAndOnlyPlainASCIIInHeaders() {
        let message = WebhookMessage(hostile, format: .ntfy)
        #expect(message.text == "my_nas.lan is down: " + hostile.cause)
        var sneaky = hostile
        sneaky.domain = "nas.lan\r\nX-Injected: 1 ü"
        let title = WebhookMessage(sneaky, format: .ntfy).headers["Title"]
        #expect(title == "status: nas.lanX-Injected: 1  down")
        for value in WebhookMessage(sneaky, format: .ntfy).headers.values {
            #expect(value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F })
        }
    }

    @Test func discordOpenedAndClosed() {
        let open = WebhookMessage(opened, format: .discord)
        #expect(open.text == #"{"content":"🔴 **nas.lan** is down: no reply to 3 pings (timeout 1s)","allowed_mentions":{"parse":[]}}"#)
        #expect(open.headers == ["Content-Type": "application/json"])
        let close = WebhookMessage(closed, format: .discord)
        #expect(close.text == #"{"content":"🟢 **nas.lan** is up again after 2m 3s","allowed_mentions":{"parse":[]}}"#)
    }

    @Test func discordEscapesJSONAndMarkdownAndMentionsStayOff() throws {
        let message = WebhookMessage(hostile, format: .discord)
        #expect(message.text == #"{"content":"🔴 **my\\_nas.lan** is down: say \"hi\"\\\\ \n\tbell\u0007 \u2028 ünï 🐛 @everyone \\*bold\\*","allowed_mentions":{"parse":[]}}"#)
        let object = try JSONSerialization.jsonObject(with: Data(message.body)) as? [String: Any]
        #expect((object?["allowed_mentions"] as? [String: Any])?["parse"] as? [Any] != nil)
    }

    @Test func discordContentIsCutTo2000() throws {
        var long = opened
        long.cause = String(repeating: "é🐛", count: 1500)
        let message = WebhookMessage(long, format: .discord)
        let object = try JSONSerialization.jsonObject(with: Data(message.body)) as? [String: Any]
        let content = try #require(object?["content"] as? String)
        #expect(content.utf16.count <= 2000)
        #expect(content.utf16.count >= 1997)
        #expect(content.hasPrefix("🔴 **nas.lan** is down: é🐛é🐛"))
        #expect(content.hasSuffix("…"))
        #expect(DiscordMessage.cut(String(repeating: "x", count: 2000)) == String(repeating: "x", count: 2000))
        #expect(DiscordMessage.cut(String(repeating: "x", count: 2001)) == String(repeating: "x", count: 1999) + "…")
    }

    @Test(arguments: [
        (0, "0s"), (0.35, "0.3s"), (4.5, "4.5s"), (9.99, "9.9s"), (10, "10s"), (59.9, "59s"), (60, "1m 0s"),
        (123.456, "2m 3s"), (3599, "59m 59s"), (3600, "1h 0m"), (3660, "1h 1m"), (86_399, "23h 59m"),
        (86_400, "1d 0h"), (3 * 86_400 + 4 * 3600 + 59, "3d 4h"), (-5, "0s"), (.infinity, "0s"), (.nan, "0s"),
    ] as [(Double, String)])
    func durationForPeople(seconds: Double, text: String) {
        #expect(HumanDuration.text(seconds: seconds) == text)
    }

    @Test func closedWithoutAnUpTimeSaysUpAgain() {
        var odd = closed
        odd.upDetection = nil
        #expect(WebhookMessage(odd, format: .ntfy).text == "nas.lan is up again")
        #expect(WebhookMessage(odd, format: .json).text.contains(#""up_detection":null,"duration_s":null,"name":"nas.lan","dependents":[]}"#))
    }
}
