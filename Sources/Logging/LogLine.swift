// The format of one log line: `2026-11-28T21:17:26.779Z level=warn event=host_down host=h1.test cause="no reply"`.
// A value is quoted when it has spaces, quotes, `=` or line breaks, so every line stays one machine-readable line.
import Encoding
import Foundation

enum LogLine {
    static func format(level: String, event: String, fields: KeyValuePairs<String, Any>) -> String {
        var line = "\(JSONText.time(Date())) level=\(level) event=\(event)"
        for (key, value) in fields {
            line += " \(key)=\(quoted(String(describing: value)))"
        }
        return line
    }

    static func quoted(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }
        guard needsQuotes else { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
