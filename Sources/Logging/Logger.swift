// The daemon's logger: one line per event, `time level=… event=… key=value ...`. Formatting happens in the
// caller; writing never does: lines go to a LogWriter's bounded buffer, written to stdout by a thread of its own,
// so a stdout nobody drains (a stuck log driver, a paused terminal) never stalls pinging or HTTP.
import Foundation

/// Long-lived parts receive it through `init`.
package final class Logger: Sendable {
    package enum Level: Int, Comparable, Sendable {
        case debug, info, warning, error
        package static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        var name: String { ["debug", "info", "warn", "error"][rawValue] }
    }

    package let minimumLevel: Level
    private let destination: Destination

    private enum Destination: Sendable {
        case writer(LogWriter)
        /// Tests: each line handed over at once, on the logging thread.
        case sink(@Sendable (String) -> Void)
    }

    /// Logs through `writer` (by default, one for stdout shared by every logger of the process).
    package init(minimumLevel: Level = .info, writer: LogWriter = .standardOutput) {
        self.minimumLevel = minimumLevel
        self.destination = .writer(writer)
    }

    /// Hands every line to `sink` instead (tests capture lines this way).
    package init(minimumLevel: Level = .info, sink: @escaping @Sendable (String) -> Void) {
        self.minimumLevel = minimumLevel
        self.destination = .sink(sink)
    }

    package func debug(_ event: String, _ fields: KeyValuePairs<String, Any> = [:]) { log(.debug, event, fields) }
    package func info(_ event: String, _ fields: KeyValuePairs<String, Any> = [:]) { log(.info, event, fields) }
    package func warning(_ event: String, _ fields: KeyValuePairs<String, Any> = [:]) { log(.warning, event, fields) }
    package func error(_ event: String, _ fields: KeyValuePairs<String, Any> = [:]) { log(.error, event, fields) }

    package func log(_ level: Level, _ event: String, _ fields: KeyValuePairs<String, Any>) {
        guard level >= minimumLevel else { return }
        let line = LogLine.format(level: level.name, event: event, fields: fields)
        switch destination {
        case .writer(let writer): writer.append(line)
        case .sink(let sink): sink(line)
        }
    }

    /// Lines dropped because the buffer was full (for /metrics).
    package var droppedLines: UInt64 {
        if case .writer(let writer) = destination { return writer.droppedLines }
        return 0
    }

    /// Waits up to `timeout` seconds for the buffered lines to be written (at shutdown).
    @discardableResult
    package func flush(timeout: Double) -> Bool {
        if case .writer(let writer) = destination { return writer.flush(timeout: timeout) }
        return true
    }
}
