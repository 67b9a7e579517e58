// Packet loss over the last 64 pings, and its place in the check payload.
import Foundation
import Testing
@testable import StatusCore

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

    @Test func theCheckPayloadCarriesLossBesideTheContractFields() {
        var host = HostStatus(check: Check(id: 1, domain: "nas.lan", lastPerformed: nil, status: true), isDown: false,
                              lastRTTMilliseconds: nil)
        #expect(String(decoding: Payloads.one(CheckView(host: host), Payloads.check), as: UTF8.self).contains("\"rtt_ms\":null,\"loss_pct\":null,"))
        host.recent.record(success: true)
        host.recent.record(success: false)
        #expect(String(decoding: Payloads.one(CheckView(host: host), Payloads.check), as: UTF8.self).contains("\"loss_pct\":50.000,"))
    }
}
