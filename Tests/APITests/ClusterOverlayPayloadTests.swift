// What /status says of a host other probes watch too: the consensus in status, state and down_since, each
// probe's view in `probes`, and "view":"local" (this probe's own view) while it cannot read the others. A host
// no other probe watches has neither field, and a new /status body is built when the consensus moves.
import Consensus
import Foundation
import Testing
@testable import API
import Encoding
import Monitor
import TestSupport

@Suite struct ClusterOverlayPayloadTests {
    let t0 = Date(timeIntervalSince1970: 1_764_000_000)

    func json(_ host: HostStatus) throws -> [String: Any] {
        var buffer = JSONBuffer()
        Payloads.check(CheckView(host: host), into: &buffer)
        return try #require(try JSONSerialization.jsonObject(with: Data(buffer.bytes)) as? [String: Any])
    }

    func views(homeDown: Bool) -> [ProbeView] {
        [ProbeView(probe: "home", isDown: homeDown, since: t0, lastPerformed: t0 + 1, rttMilliseconds: homeDown ? nil : 0.5,
                   lossPercent: homeDown ? 100 : 0),
         ProbeView(probe: "lab", isDown: false, since: t0 - 60, lastPerformed: t0 + 2, rttMilliseconds: 0.25, lossPercent: 0)]
    }

    @Test func theConsensusOverridesThisProbesOwnView() throws {
        // This probe (home) sees it down; the probes agree it is up.
        var host = HostStatus(id: 1, domain: "nas.lan", lastPerformed: t0 + 1, isDown: true, downSince: t0)
        host.cluster = ClusterOverlay(view: .consensus, down: false, downSince: nil, probes: views(homeDown: true))
        var body = try json(host)
        #expect(body["status"] as? Bool == true)
        #expect(body["state"] as? String == "up")
        #expect(body["down_since"] is NSNull)
        #expect(body["view"] as? String == "consensus")
        let probes = try #require(body["probes"] as? [[String: Any]])
        #expect(probes.map { $0["probe"] as? String } == ["home", "lab"])
        #expect(probes.map { $0["status"] as? Bool } == [false, true])
        #expect(probes[1]["rtt_ms"] as? Double == 0.25)

        // This probe sees it up; the consensus is an incident that began at t0 + 5.
        host = HostStatus(id: 1, domain: "nas.lan", lastPerformed: t0 + 1)
        host.cluster = ClusterOverlay(view: .consensus, down: true, downSince: t0 + 5, probes: views(homeDown: false))
        body = try json(host)
        #expect(body["status"] as? Bool == false)
        #expect(body["state"] as? String == "down")
        #expect(body["down_since"] as? String == JSONText.time(t0 + 5))
    }

    @Test func withoutTheDatabaseAProbeServesItsOwnViewMarkedLocal() throws {
        var host = HostStatus(id: 1, domain: "nas.lan", lastPerformed: t0 + 1, isDown: true, downSince: t0)
        host.cluster = ClusterOverlay(view: .local, down: false, downSince: nil, probes: views(homeDown: true))
        let body = try json(host)
        #expect(body["view"] as? String == "local")
        #expect(body["status"] as? Bool == false, "its own view: down")
        #expect(body["down_since"] as? String == JSONText.time(t0))
    }

    @Test func aHostOnlyThisProbeWatchesHasNoProbesFields() throws {
        let body = try json(HostStatus(id: 1, domain: "nas.lan", lastPerformed: t0 + 1))
        #expect(body["view"] == nil && body["probes"] == nil)
    }

    @Test func aNewConsensusIsServedAtOnce() {
        let board = StatusBoard(hosts: [HostStatus(id: 1, domain: "nas.lan", lastPerformed: t0 + 1)])
        var cache = LoopStatusCache(views: StatusViews(board: board, refreshInterval: 3600))
        let before = cache.current()
        board.applyCluster([0: ClusterOverlay(view: .consensus, down: true, downSince: t0 + 5, probes: views(homeDown: false))])
        let after = cache.current()
        #expect(after !== before)
        #expect(String(decoding: after.down, as: UTF8.self).contains("nas.lan"))
    }
}
