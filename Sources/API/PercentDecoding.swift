// Percent-decoding of one path segment: refuses bad escapes and encoded NUL, and requires UTF-8.

package enum PercentDecodingError: Error, Equatable {
    case invalidEscape
    case encodedNUL
    case notUTF8
}

package enum PercentDecoding {
    /// Decodes "%2F"-style escapes in `segment`. "+" stays "+" (that rule is for query strings only).
    package static func decode(_ segment: Substring) throws -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(segment.utf8.count)
        var iterator = segment.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw PercentDecodingError.invalidEscape
            }
            let decoded = high << 4 | low
            guard decoded != 0 else { throw PercentDecodingError.encodedNUL }
            bytes.append(decoded)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw PercentDecodingError.notUTF8 }
        return text
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
