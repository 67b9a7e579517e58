// A growing byte buffer that JSON is written into directly: string literals escaped byte by byte, integers,
// three-decimal numbers and RFC 3339 times without building intermediate Strings. The /status body of ten
// thousand hosts is written here in a few milliseconds.
import Foundation

package struct JSONBuffer {
    package private(set) var bytes: [UInt8] = []

    package init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// Appends ASCII text as it is (keys, punctuation, literals the caller wrote).
    package mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    package mutating func bool(_ value: Bool) {
        value ? raw("true") : raw("false")
    }

    package mutating func integer(_ value: Int64) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            unsigned(value.magnitude)
        } else {
            unsigned(UInt64(value))
        }
    }

    private mutating func unsigned(_ value: UInt64) {
        var out = Scratch()
        out.digits(value, width: Self.digitCount(value))
        append(out)
    }

    /// Appends bytes with one copy (the generic `append(contentsOf:)` of a slice goes element by element).
    private mutating func append(_ raw: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: raw.assumingMemoryBound(to: UInt8.self))
    }

    private mutating func append(_ run: Slice<UnsafeBufferPointer<UInt8>>) {
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: run))
    }

    /// A JSON string literal, quotes included. Escapes quotes, backslashes, control characters, DEL, and
    /// U+2028/U+2029 (which end a line in older JavaScript); everything else is copied as UTF-8.
    package mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var copy = value
        copy.withUTF8 { utf8 in
            var runStart = 0
            var index = 0
            let count = utf8.count
            while index < count {
                let byte = utf8[index]
                var escape: StaticString?
                var width = 1
                switch byte {
                case UInt8(ascii: "\""): escape = "\\\""
                case UInt8(ascii: "\\"): escape = "\\\\"
                case UInt8(ascii: "\n"): escape = "\\n"
                case UInt8(ascii: "\r"): escape = "\\r"
                case UInt8(ascii: "\t"): escape = "\\t"
                case 0xE2 where index + 2 < count && utf8[index + 1] == 0x80 && utf8[index + 2] == 0xA8:
                    escape = "\\u2028"; width = 3
                case 0xE2 where index + 2 < count && utf8[index + 1] == 0x80 && utf8[index + 2] == 0xA9:
                    escape = "\\u2029"; width = 3
                default:
                    if byte < 0x20 || byte == 0x7F {
                        append(utf8[runStart..<index])
                        raw("\\u00")
                        bytes.append(Self.hexDigits[Int(byte >> 4)])
                        bytes.append(Self.hexDigits[Int(byte & 0xF)])
                        index += 1
                        runStart = index
                        continue
                    }
                }
                if let escape {
                    append(utf8[runStart..<index])
                    raw(escape)
                    index += width
                    runStart = index
                } else {
                    index += 1
                }
            }
            append(utf8[runStart..<count])
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// RFC 3339 UTC with milliseconds and a Z, without quotes: 2026-11-24T21:03:05.123Z.
    package mutating func bareTime(_ date: Date) {
        writeTime(date, quoted: false)
    }

    /// A quoted RFC 3339 time, or `null`.
    package mutating func time(_ date: Date?) {
        guard let date else { return raw("null") }
        writeTime(date, quoted: true)
    }

    /// A time written in place and appended with one copy (a /status body has two per host); a year outside
    /// 0...9999 is written as many digits as it has, with its sign.
    private mutating func writeTime(_ date: Date, quoted: Bool) {
        let (days, millisecondOfDay) = Self.floorDivide(date.unixMilliseconds, 86_400_000)
        let (year, month, day) = Self.civil(fromDays: days)
        let second = Int(millisecondOfDay / 1000)
        var out = Scratch()
        if quoted { out.put(UInt8(ascii: "\"")) }
        if (0...9999).contains(year) {
            out.digits(UInt64(year), width: 4)
        } else {
            if year < 0 { out.put(UInt8(ascii: "-")) }
            out.digits(UInt64(year.magnitude), width: Self.digitCount(UInt64(year.magnitude)))
        }
        out.put(UInt8(ascii: "-"))
        out.digits(UInt64(month), width: 2)
        out.put(UInt8(ascii: "-"))
        out.digits(UInt64(day), width: 2)
        out.put(UInt8(ascii: "T"))
        out.digits(UInt64(second / 3600), width: 2)
        out.put(UInt8(ascii: ":"))
        out.digits(UInt64(second / 60 % 60), width: 2)
        out.put(UInt8(ascii: ":"))
        out.digits(UInt64(second % 60), width: 2)
        out.put(UInt8(ascii: "."))
        out.digits(UInt64(millisecondOfDay % 1000), width: 3)
        out.put(UInt8(ascii: "Z"))
        if quoted { out.put(UInt8(ascii: "\"")) }
        append(out)
    }

    /// A non-negative number with exactly three decimals, e.g. 0.042 (round half up), or `null`.
    package mutating func fixed3(_ value: Double?) {
        guard let value, value.isFinite else { return raw("null") }
        guard value >= 0, value < 1e15 else {
            bytes.append(contentsOf: String(value).utf8)
            return
        }
        let thousandths = UInt64((value * 1000).rounded())
        let whole = thousandths / 1000
        var out = Scratch()
        out.digits(whole, width: Self.digitCount(whole))
        out.put(UInt8(ascii: "."))
        out.digits(thousandths % 1000, width: 3)
        append(out)
    }

    private static func digitCount(_ value: UInt64) -> Int {
        var count = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            count += 1
        }
        return count
    }

    /// Up to 32 bytes written in place (a number of 20 digits, or a time), appended with one copy: a time is a dozen
    /// small writes, and appending each to the array (a uniqueness and a capacity check, a copy call) costs more.
    private struct Scratch {
        private var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        private(set) var count = 0

        mutating func put(_ byte: UInt8) {
            let at = count
            withUnsafeMutableBytes(of: &storage) { $0[at] = byte }
            count += 1
        }

        /// `value` in exactly `width` decimal digits, zero-padded on the left.
        mutating func digits(_ value: UInt64, width: Int) {
            let start = count
            var rest = value
            withUnsafeMutableBytes(of: &storage) { raw in
                var index = start + width
                while index > start {
                    index -= 1
                    raw[index] = UInt8(truncatingIfNeeded: 48 + rest % 10)
                    rest /= 10
                }
            }
            count += width
        }

        func withBytes(_ body: (UnsafeRawBufferPointer) -> Void) {
            withUnsafeBytes(of: storage) { body(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        }
    }

    private mutating func append(_ scratch: Scratch) {
        scratch.withBytes { append($0) }
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let quotient = value >= 0 ? value / divisor : (value - divisor + 1) / divisor
        return (quotient, value - quotient * divisor)
    }

    /// Proleptic Gregorian year, month and day of a count of days since 1970-01-01 (H. Hinnant's
    /// days-to-civil algorithm: eras of 400 years, years starting in March).
    static func civil(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }
}
