// JSON strings, numbers and RFC 3339 times as Swift Strings, for log lines and small bodies. Written by the same
// code as the byte-level bodies (JSONBuffer), so a time reads the same in a log line and in the API.
import Foundation

package enum JSONText {
    /// A JSON string literal, quotes included, escaping quotes, backslashes and control characters.
    package static func string(_ value: String) -> String {
        text { $0.string(value) }
    }

    /// RFC 3339 UTC with milliseconds and a Z: "2026-11-24T21:03:05.123Z".
    package static func time(_ date: Date) -> String {
        text { $0.bareTime(date) }
    }

    /// A time in quotes, or `null`.
    package static func time(_ date: Date?) -> String {
        text { $0.time(date) }
    }

    /// A non-negative number with exactly three decimals, e.g. "0.042" (round half up).
    package static func fixed3(_ value: Double) -> String {
        text { $0.fixed3(value) }
    }

    private static func text(_ write: (inout JSONBuffer) -> Void) -> String {
        var buffer = JSONBuffer(capacity: 32)
        write(&buffer)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }
}
