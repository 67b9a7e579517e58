// Echo encoding, checksums, and decoding of replies, errors, truncated and foreign packets.
import Testing
@testable import ICMP
import Logging
import Platform
import TestSupport

@Suite struct ICMPPacketTests {
    /// An IPv4 header (IHL 5, or more with options) carrying `payload`, protocol ICMP, from 192.0.2.1 to 192.0.2.9.
    func ipv4(_ payload: [UInt8], protocol proto: UInt8 = 1, optionWords: Int = 0,
              source: [UInt8] = [192, 0, 2, 1], destination: [UInt8] = [192, 0, 2, 9]) -> [UInt8] {
        let length = 20 + optionWords * 4
        var header: [UInt8] = [0x40 | UInt8(5 + optionWords), 0, 0, UInt8(length + payload.count), 0, 0, 0, 0, 64, proto, 0, 0]
        header += source + destination + [UInt8](repeating: 1, count: optionWords * 4)
        return header + payload
    }

    func ipv6Header(destination: [UInt8], nextHeader: UInt8 = 58) -> [UInt8] {
        [0x60, 0, 0, 0, 0, 24, nextHeader, 64] + [UInt8](repeating: 0, count: 15) + [1] + destination
    }

    let target6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [5]

    @Test func checksumMatchesRFC1071Example() {
        // RFC 1071 §3: words 0001 f203 f4f5 f6f7 sum to ddf2, whose complement is 220d.
        #expect(InternetChecksum.compute([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]) == 0x220d)
        #expect(InternetChecksum.compute([0xff]) == 0x00ff)
    }

    @Test func anEncodedV4RequestChecksumsToZero() {
        let packet = ICMPPacket.echoRequest(family: .v4, identifier: 0xBEEF, sequence: 0x0102)
        #expect(packet[0] == 8 && packet[1] == 0)
        #expect(Array(packet[4..<8]) == [0xBE, 0xEF, 0x01, 0x02])
        #expect(InternetChecksum.compute(packet) == 0, "a packet with its checksum in place sums to zero")
    }

    @Test func repliesDecodeInEveryFraming() {
        var reply = ICMPPacket.echoRequest(family: .v4, identifier: 7, sequence: 65535)
        reply[0] = 0
        #expect(ICMPPacket.decode(ipv4(reply), family: .v4, withIPHeader: true) == .echoReply(identifier: 7, sequence: 65535))
        #expect(ICMPPacket.decode(ipv4(reply, optionWords: 1), family: .v4, withIPHeader: true)
                == .echoReply(identifier: 7, sequence: 65535), "IHL 6: an options word to skip")
        #expect(ICMPPacket.decode(reply, family: .v4, withIPHeader: false) == .echoReply(identifier: 7, sequence: 65535))
        var reply6 = ICMPPacket.echoRequest(family: .v6, identifier: 9, sequence: 3)
        #expect(reply6[0] == 128)
        reply6[0] = 129
        #expect(ICMPPacket.decode(reply6, family: .v6, withIPHeader: false) == .echoReply(identifier: 9, sequence: 3))
    }

    @Test func errorsQuotingOurEchoNameTheKindSequenceAndDestination() {
        let echo = ICMPPacket.echoRequest(family: .v4, identifier: 7, sequence: 42)
        let quoted = ipv4(Array(echo.prefix(8)), source: [192, 0, 2, 1], destination: [198, 51, 100, 7])
        let unreachable = ipv4([3, 1, 0, 0, 0, 0, 0, 0] + quoted)
        #expect(ICMPPacket.decode(unreachable, family: .v4, withIPHeader: true)
                == .error(kind: "host unreachable", identifier: 7, sequence: 42, destination: [198, 51, 100, 7]))
        let ttl = ipv4([11, 0, 0, 0, 0, 0, 0, 0] + quoted)
        #expect(ICMPPacket.decode(ttl, family: .v4, withIPHeader: true)
                == .error(kind: "time to live exceeded", identifier: 7, sequence: 42, destination: [198, 51, 100, 7]))
        let echo6 = ICMPPacket.echoRequest(family: .v6, identifier: 7, sequence: 43)
        let error6: [UInt8] = [1, 3, 0, 0, 0, 0, 0, 0] + ipv6Header(destination: target6) + Array(echo6.prefix(8))
        #expect(ICMPPacket.decode(error6, family: .v6, withIPHeader: false)
                == .error(kind: "address unreachable", identifier: 7, sequence: 43, destination: target6))
    }

    @Test func foreignPacketsAreIgnored() {
        let echo = ICMPPacket.echoRequest(family: .v4, identifier: 7, sequence: 1)
        #expect(ICMPPacket.decode(ipv4(echo), family: .v4, withIPHeader: true) == .ignored, "an echo request, e.g. our own on lo")
        #expect(ICMPPacket.decode(ipv4([5, 1, 0, 0, 192, 0, 2, 1]), family: .v4, withIPHeader: true) == .ignored, "redirect")
        let udpQuoted = ipv4([3, 3, 0, 0, 0, 0, 0, 0] + ipv4([0, 53, 0, 53, 0, 8, 0, 0], protocol: 17))
        #expect(ICMPPacket.decode(udpQuoted, family: .v4, withIPHeader: true) == .ignored, "an error about UDP")
        #expect(ICMPPacket.decode([134, 0, 0, 0, 0, 0, 0, 0], family: .v6, withIPHeader: false) == .ignored,
                "router advertisement")
        let tcpQuoted6: [UInt8] = [1, 4, 0, 0, 0, 0, 0, 0] + ipv6Header(destination: target6, nextHeader: 6) + [0, 0, 0, 0, 0, 0, 0, 0]
        #expect(ICMPPacket.decode(tcpQuoted6, family: .v6, withIPHeader: false) == .ignored)
    }

    @Test func anErrorQuotingAnotherProcessesEchoCarriesItsIdentifierForThePingerToRefuse() {
        let theirs = ICMPPacket.echoRequest(family: .v4, identifier: 0x1111, sequence: 42)
        let error = ipv4([3, 1, 0, 0, 0, 0, 0, 0] + ipv4(Array(theirs.prefix(8))))
        guard case .error(_, let identifier, _, _) = ICMPPacket.decode(error, family: .v4, withIPHeader: true) else {
            Issue.record("not decoded as an error")
            return
        }
        #expect(identifier == 0x1111)
    }

    @Test func everyTruncationIsMalformedNeverACrash() {
        let echo = ICMPPacket.echoRequest(family: .v4, identifier: 7, sequence: 42)
        let unreachable = ipv4([3, 1, 0, 0, 0, 0, 0, 0] + ipv4(Array(echo.prefix(8))))
        for length in 0..<unreachable.count - 8 + 8 where length < unreachable.count {
            let result = ICMPPacket.decode(Array(unreachable.prefix(length)), family: .v4, withIPHeader: true)
            #expect(result == .malformed, "length \(length)")
        }
        let echo6 = ICMPPacket.echoRequest(family: .v6, identifier: 7, sequence: 43)
        let error6: [UInt8] = [1, 3, 0, 0, 0, 0, 0, 0] + ipv6Header(destination: target6) + Array(echo6.prefix(8))
        for length in 0..<error6.count {
            #expect(ICMPPacket.decode(Array(error6.prefix(length)), family: .v6, withIPHeader: false) == .malformed,
                    "length \(length)")
        }
        #expect(ICMPPacket.decode([0x45] + [UInt8](repeating: 0, count: 30), family: .v4, withIPHeader: true) == .malformed,
                "protocol field not ICMP")
        #expect(ICMPPacket.decode([0x4f] + [UInt8](repeating: 0, count: 30), family: .v4, withIPHeader: true) == .malformed,
                "IHL longer than the packet")
    }
}
