// Echo requests out, received ICMP/ICMPv6 datagrams in: pure encoding and decoding, every length checked
// against the bytes actually received before a field is read.

package enum ICMPFamily: Sendable {
    case v4, v6

    /// 0 for IPv4, 1 for IPv6: for per-family storage in two-element arrays.
    var index: Int { self == .v4 ? 0 : 1 }
}

/// What a received datagram means to the pinger.
package enum ICMPMessage: Equatable, Sendable {
    /// An echo reply. `identifier` is as received (the kernel's in datagram mode).
    case echoReply(identifier: UInt16, sequence: UInt16)
    /// An ICMP error quoting an echo request: its identifier, sequence and destination address bytes.
    case error(kind: String, identifier: UInt16, sequence: UInt16, destination: [UInt8])
    /// Valid ICMP that is not about our pings (other types, errors about other protocols).
    case ignored
    /// Too short or inconsistent to read.
    case malformed
}

package enum ICMPPacket {
    static let echoRequestV4: UInt8 = 8
    static let echoReplyV4: UInt8 = 0
    static let echoRequestV6: UInt8 = 128
    static let echoReplyV6: UInt8 = 129
    /// Bytes after the 8-byte header: a fixed marker, so captures show whose pings these are.
    static let payload: [UInt8] = Array("status-uptime-ok".utf8)

    /// An echo request. IPv4 carries its checksum; for ICMPv6 the kernel computes it (it covers a pseudo-header).
    package static func echoRequest(family: ICMPFamily, identifier: UInt16, sequence: UInt16) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: echoRequestLength)
        writeEchoRequest(into: &bytes, family: family, identifier: identifier, sequence: sequence)
        return bytes
    }

    static let echoRequestLength = 8 + payload.count

    /// Writes an echo request over `bytes` (`echoRequestLength` long), so a pinger can reuse one buffer.
    static func writeEchoRequest(into bytes: inout [UInt8], family: ICMPFamily, identifier: UInt16, sequence: UInt16) {
        precondition(bytes.count == echoRequestLength)
        bytes.withUnsafeMutableBufferPointer { out in
            out[0] = family == .v4 ? echoRequestV4 : echoRequestV6
            out[1] = 0
            out[2] = 0
            out[3] = 0
            out[4] = UInt8(identifier >> 8)
            out[5] = UInt8(identifier & 0xFF)
            out[6] = UInt8(sequence >> 8)
            out[7] = UInt8(sequence & 0xFF)
            for (index, byte) in payload.enumerated() { out[8 + index] = byte }
            if family == .v4 {
                let checksum = InternetChecksum.compute(UnsafeBufferPointer(out))
                out[2] = UInt8(checksum >> 8)
                out[3] = UInt8(checksum & 0xFF)
            }
        }
    }

    /// Decodes one received datagram. `withIPHeader` is true for IPv4 raw sockets, whose reads start with the IP
    /// header; IPv6 and datagram sockets hand over the ICMP message alone.
    package static func decode(_ bytes: [UInt8], family: ICMPFamily, withIPHeader: Bool) -> ICMPMessage {
        bytes.withUnsafeBytes { decode($0, family: family, withIPHeader: withIPHeader) }
    }

    /// Decodes one datagram in place, as the receive buffer holds it.
    static func decode(_ bytes: UnsafeRawBufferPointer, family: ICMPFamily, withIPHeader: Bool) -> ICMPMessage {
        var offset = 0
        if withIPHeader {
            guard let headerLength = ipv4HeaderLength(bytes, at: 0), bytes[9] == 1 else { return .malformed }
            offset = headerLength
        }
        guard bytes.count >= offset + 8 else { return .malformed }
        let type = bytes[offset]
        let code = bytes[offset + 1]
        switch family {
        case .v4:
            if type == echoReplyV4 {
                return .echoReply(identifier: word(bytes, offset + 4), sequence: word(bytes, offset + 6))
            }
            guard type == 3 || type == 11 || type == 12 else { return .ignored }
            return quotedEchoV4(bytes, at: offset + 8, kind: ICMPErrorKind.v4(type: type, code: code))
        case .v6:
            if type == echoReplyV6 {
                return .echoReply(identifier: word(bytes, offset + 4), sequence: word(bytes, offset + 6))
            }
            guard (1...4).contains(type) else { return .ignored }
            return quotedEchoV6(bytes, at: offset + 8, kind: ICMPErrorKind.v6(type: type, code: code))
        }
    }

    /// The length of an IPv4 header at `offset`, if a whole one is there.
    static func ipv4HeaderLength(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Int? {
        guard bytes.count >= offset + 20, bytes[offset] >> 4 == 4 else { return nil }
        let length = Int(bytes[offset] & 0x0F) * 4
        guard length >= 20, bytes.count >= offset + length else { return nil }
        return length
    }

    /// An ICMPv4 error quotes the original IP header and at least 8 bytes of what it carried.
    static func quotedEchoV4(_ bytes: UnsafeRawBufferPointer, at offset: Int, kind: String) -> ICMPMessage {
        guard let headerLength = ipv4HeaderLength(bytes, at: offset) else { return .malformed }
        guard bytes[offset + 9] == 1 else { return .ignored }
        let echo = offset + headerLength
        guard bytes.count >= echo + 8 else { return .malformed }
        guard bytes[echo] == echoRequestV4 else { return .ignored }
        return .error(kind: kind, identifier: word(bytes, echo + 4), sequence: word(bytes, echo + 6),
                      destination: Array(bytes[(offset + 16)..<(offset + 20)]))
    }

    /// An ICMPv6 error quotes the original 40-byte IPv6 header and what followed it.
    static func quotedEchoV6(_ bytes: UnsafeRawBufferPointer, at offset: Int, kind: String) -> ICMPMessage {
        guard bytes.count >= offset + 40, bytes[offset] >> 4 == 6 else { return .malformed }
        guard bytes[offset + 6] == 58 else { return .ignored }
        let echo = offset + 40
        guard bytes.count >= echo + 8 else { return .malformed }
        guard bytes[echo] == echoRequestV6 else { return .ignored }
        return .error(kind: kind, identifier: word(bytes, echo + 4), sequence: word(bytes, echo + 6),
                      destination: Array(bytes[(offset + 24)..<(offset + 40)]))
    }

    static func word(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt16 {
        UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }
}
