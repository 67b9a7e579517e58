// A rollup as a few bytes, for the history table's BLOB column and the journal: a version byte, the counts as
// varints, and when a ping was answered the four floating-point figures (IEEE 754, little-endian) and the
// sketch's buckets, each bucket's index as the difference from the previous one (zigzag varints) and its count.
// A minute of one ping a second spread over ±25 % takes about a hundred bytes.

extension PingRollup {
    static let encodingVersion: UInt8 = 1

    /// The rollup's bytes (see the file's comment).
    package var encoded: [UInt8] {
        var bytes: [UInt8] = [Self.encodingVersion]
        bytes.reserveCapacity(48 + 3 * sketch.indexes.count)
        Varint.append(UInt64(sent), to: &bytes)
        Varint.append(UInt64(replies), to: &bytes)
        guard replies > 0 else { return bytes }
        for value in [minimum ?? 0, maximum ?? 0, sum, sumOfSquares] {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        Varint.append(UInt64(sketch.indexes.count), to: &bytes)
        var previous: Int16 = 0
        for (index, count) in zip(sketch.indexes, sketch.counts) {
            Varint.append(Varint.zigzag(Int64(index) - Int64(previous)), to: &bytes)
            Varint.append(UInt64(count), to: &bytes)
            previous = index
        }
        return bytes
    }

    /// The pings sent that an encoded rollup counts, read from its head without decoding the rest; nil when
    /// the head is not a rollup's.
    package static func sent(encoded bytes: [UInt8]) -> UInt32? {
        var reader = Varint.Reader(bytes: bytes)
        guard reader.byte() == Self.encodingVersion, let sent = reader.varint().flatMap(UInt32.init(exactly:)),
              let replies = reader.varint(), replies <= UInt64(sent) else { return nil }
        return sent
    }

    /// The rollup `bytes` encode; nil when they are not one (another version, cut short, out of range).
    package init?(encoded bytes: [UInt8]) {
        var reader = Varint.Reader(bytes: bytes)
        guard reader.byte() == Self.encodingVersion,
              let sent = reader.varint().flatMap(UInt32.init(exactly:)),
              let replies = reader.varint().flatMap(UInt32.init(exactly:)), replies <= sent else { return nil }
        self.init()
        self.sent = sent
        self.replies = replies
        guard replies > 0 else {
            guard reader.atEnd else { return nil }
            return
        }
        guard let low = reader.double(), let high = reader.double(), let sum = reader.double(),
              let squares = reader.double(), let buckets = reader.varint(), buckets <= UInt64(bytes.count) else { return nil }
        minimum = low
        maximum = high
        self.sum = sum
        sumOfSquares = squares
        var indexes: [Int16] = []
        var counts: [UInt32] = []
        var previous: Int64 = 0
        for _ in 0..<buckets {
            guard let delta = reader.varint().map(Varint.unzigzag), let count = reader.varint().flatMap(UInt32.init(exactly:)),
                  let index = Int16(exactly: previous + delta), indexes.last.map({ $0 < index }) ?? true, count > 0
            else { return nil }
            indexes.append(index)
            counts.append(count)
            previous = Int64(index)
        }
        guard reader.atEnd, let sketch = RTTSketch(indexes: indexes, counts: counts), sketch.count == UInt64(replies)
        else { return nil }
        self.sketch = sketch
    }
}

/// LEB128 varints and zigzag signs (also the spool's files').
package enum Varint {
    package static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    package static func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }

    package static func unzigzag(_ value: UInt64) -> Int64 { Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1) }

    package struct Reader {
        let bytes: [UInt8]
        var offset = 0

        package init(bytes: [UInt8]) { self.bytes = bytes }

        package var atEnd: Bool { offset == bytes.count }

        /// The next `count` bytes; nil when fewer are left.
        package mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
            guard count >= 0, offset + count <= bytes.count else { return nil }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }

        package mutating func byte() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        package mutating func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while let byte = byte() {
                guard shift < 64 else { return nil }
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
            return nil
        }

        package mutating func double() -> Double? {
            guard offset + 8 <= bytes.count else { return nil }
            var bits: UInt64 = 0
            for index in 0..<8 { bits |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
            offset += 8
            return Double(bitPattern: bits)
        }
    }
}
