// The daemon's logger: one line per event, `time level=… event=… key=value ...`, to stdout (one write per
// line, unbuffered, so `docker logs` and journald see each line at once).
import Foundation
import Glibc

/// A small thread-safe logger. Long-lived parts receive it through `init`.
public final class Logger: @unchecked Sendable {
    public enum Level: Int, Comparable, Sendable {
        case debug, info, warning, error
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        var name: String { ["debug", "info", "warn", "error"][rawValue] }
    }

    public let minimumLevel: Level
    private let lock = NSLock()
    private let sink: (String) -> Void

    /// Logs to stdout by default; tests pass a sink to capture lines.
    public init(minimumLevel: Level = .info, sink: ((String) -> Void)? = nil) {
        self.minimumLevel = minimumLevel
        self.sink = sink ?? { line in
            // A log line that cannot be written (stdout closed) is dropped: logging must never stop the daemon.
            try? Files.write(descriptor: STDOUT_FILENO, Array((line + "\n").utf8), label: "stdout")
        }
    }

    public func debug(_ event: String, _ fields: KeyValuePairs<String, Any> = [:]) { log(.debug, event, fields) }
    public func info(_ event: String, _ fields: KeyValuePairs<String, Any> = [:]) { log(.info, event, fields) }
    public func warning(_ event: String, _ fields: KeyValuePairs<String, Any> = [:]) { log(.warning, event, fields) }
    public func error(_ event: String, _ fields: KeyValuePairs<String, Any> = [:]) { log(.error, event, fields) }

    public func log(_ level: Level, _ event: String, _ fields: KeyValuePairs<String, Any>) {
        guard level >= minimumLevel else { return }
        var line = "\(JSONText.time(Date())) level=\(level.name) event=\(event)"
        for (key, value) in fields {
            line += " \(key)=\(Logger.quoted(String(describing: value)))"
        }
        lock.lock()
        sink(line)
        lock.unlock()
    }

    /// Quotes a value when it has spaces, quotes or `=`, so lines stay machine-readable.
    static func quoted(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }
        guard needsQuotes else { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
