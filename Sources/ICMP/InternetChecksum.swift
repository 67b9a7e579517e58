// The Internet checksum (RFC 1071): one's complement sum of 16-bit words, as ICMP uses it.

package enum InternetChecksum {
    /// The checksum of `bytes`; an odd trailing byte counts as the high byte of a last word.
    package static func compute<C: Collection>(_ bytes: C) -> UInt16 where C.Element == UInt8 {
        var sum: UInt32 = 0
        var iterator = bytes.makeIterator()
        while let high = iterator.next() {
            let low = iterator.next() ?? 0
            sum &+= UInt32(high) << 8 | UInt32(low)
        }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) &+ (sum >> 16) }
        return ~UInt16(truncatingIfNeeded: sum)
    }
}
