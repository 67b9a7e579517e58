// Hand-written JSON encoding of strings, numbers and RFC 3339 times: exact, fast, and no Foundation encoder.
import Foundation
import Glibc

public enum JSONText {
    /// A JSON string literal, quotes included, escaping quotes, backslashes and control characters.
    public static func string(_ value: String) -> String {
        var out = "\""
        out.reserveCapacity(value.utf8.count + 2)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
        return out
    }

    /// RFC 3339 UTC with milliseconds and a Z: "2026-11-24T21:03:05.123Z".
    public static func time(_ date: Date) -> String {
        let totalMilliseconds = date.unixMilliseconds
        var seconds = time_t(totalMilliseconds >= 0 ? totalMilliseconds / 1000 : (totalMilliseconds - 999) / 1000)
        let milliseconds = Int(totalMilliseconds - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        appendDigits(Int(parts.tm_year) + 1900, width: 4, to: &bytes)
        bytes.append(45)  // -
        appendDigits(Int(parts.tm_mon) + 1, width: 2, to: &bytes)
        bytes.append(45)
        appendDigits(Int(parts.tm_mday), width: 2, to: &bytes)
        bytes.append(84)  // T
        appendDigits(Int(parts.tm_hour), width: 2, to: &bytes)
        bytes.append(58)  // :
        appendDigits(Int(parts.tm_min), width: 2, to: &bytes)
        bytes.append(58)
        appendDigits(Int(parts.tm_sec), width: 2, to: &bytes)
        bytes.append(46)  // .
        appendDigits(milliseconds, width: 3, to: &bytes)
        bytes.append(90)  // Z
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A non-negative number with exactly three decimals, e.g. "0.042" (round half up); cheaper than String(format:).
    public static func fixed3(_ value: Double) -> String {
        guard value.isFinite, value >= 0, value < 1e15 else { return value.isFinite ? String(value) : "null" }
        let thousandths = Int64((value * 1000).rounded())
        var bytes = Array(String(thousandths / 1000).utf8)
        bytes.append(46)
        appendDigits(Int(thousandths % 1000), width: 3, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `value` in decimal, zero-padded to `width` digits.
    static func appendDigits(_ value: Int, width: Int, to bytes: inout [UInt8]) {
        var digits = [UInt8](repeating: 48, count: width)
        var rest = max(value, 0)
        var index = width - 1
        while index >= 0 {
            digits[index] = UInt8(48 + rest % 10)
            rest /= 10
            index -= 1
        }
        if rest > 0 { bytes.append(contentsOf: String(value).utf8) } else { bytes.append(contentsOf: digits) }
    }

    /// A time, or `null`.
    public static func time(_ date: Date?) -> String {
        guard let date else { return "null" }
        return string(time(date))
    }
}
