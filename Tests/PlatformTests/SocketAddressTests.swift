// Comparing addresses the way the pinger matches a reply to the host it pinged.
import Testing
@testable import Platform
import TestSupport

@Suite struct SocketAddressTests {
    func address(_ literal: String, port: UInt16 = 0) throws -> SocketAddress {
        try #require(SocketAddress(ipLiteral: literal, port: port))
    }

    @Test func sameAddressIgnoresPortsButNotFamiliesOrBytes() throws {
        #expect(try address("192.0.2.1").hasSameAddress(as: address("192.0.2.1", port: 80)))
        #expect(try !address("192.0.2.1").hasSameAddress(as: address("192.0.2.2")))
        #expect(try address("2001:db8::1").hasSameAddress(as: address("[2001:db8::1]")))
        #expect(try !address("2001:db8::1").hasSameAddress(as: address("2001:db8::1:0")))
        #expect(try !address("::ffff:192.0.2.1").hasSameAddress(as: address("192.0.2.1")), "mapped v6 is another family")
    }

    @Test func loopbackIsAllOf127Slash8AndOnlyColonColonOne() throws {
        for literal in ["127.0.0.1", "127.255.1.2", "::1"] {
            #expect(try address(literal).isLoopback, "\(literal)")
        }
        for literal in ["128.0.0.1", "126.255.255.255", "192.0.2.127", "::", "::2", "2001:db8::1", "::ffff:127.0.0.1"] {
            #expect(try !address(literal).isLoopback, "\(literal)")
        }
    }
}
