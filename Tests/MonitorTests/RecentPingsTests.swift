// Packet loss over the last 64 pings, and its place in the check payload.
import Foundation
import Testing
@testable import Monitor
import Encoding
import ICMP
import Logging
import Platform
import TestSupport

@Suite struct RecentPingsTests {
    @Test func lossIsTheShareOfFailuresAmongTheLast64Pings() {
        var recent = RecentPings()
        #expect(recent.lossPercent == nil)
        recent.record(success: false)
        recent.record(success: true)
        recent.record(success: true)
        recent.record(success: true)
        #expect(recent.lossPercent == 25)
        for _ in 0..<63 { recent.record(success: true) }
        #expect(recent.lossPercent == 0, "the failure fell out of the window")
        for _ in 0..<16 { recent.record(success: false) }
        #expect(recent.lossPercent == 25)
    }
}
