// Parses the contract's durations: "30" and "2.5" (seconds), "500ms", "10s", "1m", "1h", "14d".
import Foundation

/// A duration in nanoseconds, parsed from configuration and formatted back for people ("1s", "500ms", "2.5s").
package struct ConfigDuration: Equatable, Comparable, Sendable, CustomStringConvertible {
    package let nanoseconds: UInt64

    package init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    package var seconds: Double { Double(nanoseconds) / 1e9 }

    package static func < (a: ConfigDuration, b: ConfigDuration) -> Bool { a.nanoseconds < b.nanoseconds }

    /// Parses a duration; nil when the text is not one. Units: ms, s, m, h, d; none means seconds.
    package static func parse(_ text: String) -> ConfigDuration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(suffix: String, nanoseconds: Double)] = [("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9), ("d", 86_400e9)]
        var number = Substring(trimmed)
        var scale = 1e9
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            number = trimmed.dropLast(unit.suffix.count)
            scale = unit.nanoseconds
            break
        }
        guard !number.isEmpty,
              number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              number.filter({ $0 == "." }).count <= 1,
              number.first != ".", number.last != ".",
              let value = Double(number), value.isFinite else { return nil }
        let total = (value * scale).rounded()
        guard total >= 0, total < 1e18 else { return nil }
        return ConfigDuration(nanoseconds: UInt64(total))
    }

    package var description: String {
        if nanoseconds % 1_000_000_000 == 0 { return "\(nanoseconds / 1_000_000_000)s" }
        if nanoseconds < 1_000_000_000, nanoseconds % 1_000_000 == 0 { return "\(nanoseconds / 1_000_000)ms" }
        let text = String(format: "%.3f", seconds)
        var trimmed = Substring(text)
        while trimmed.hasSuffix("0") { trimmed = trimmed.dropLast() }
        if trimmed.hasSuffix(".") { trimmed = trimmed.dropLast() }
        return "\(trimmed)s"
    }
}
