// A reloaded host file through the monitor and a scripted pinger: a new host takes the next place and is
// pinged, a removed one is no longer pinged or listed and keeps its place for when it comes back, a host whose
// threshold changes while down keeps its incident, and hosts that were unreachable behind a removed router are
// down on their own at their next failed ping, and notified.
import Foundation
import ICMP
import TestSupport
import Testing
@testable import Monitor

@Suite struct ReloadTests {
    func spec(_ address: String, parents: [String] = [], failureThreshold: Int? = nil) throws -> HostSpec {
        var spec = try #require(HostSpec(address))
        spec.attributes.parents = parents
        spec.attributes.failureThreshold = failureThreshold
        return spec
    }

    func pinged(_ run: DependencyTests.Run, _ position: Int) -> Int {
        run.events.all.count { if case .pinged(let report) = $0 { return report.host == position }; return false }
    }

    @Test func hostsAddedRemovedAndAddedBackKeepTheirPlacesAndState() throws {
        let run = try DependencyTests().start([("192.0.2.1", []), ("192.0.2.2", [])])
        defer { run.monitor.stop() }
        run.network.fail("192.0.2.2")
        #expect(waitUntil(timeout: 3) { run.state(1) == .down })
        let opened = run.events.opened.count

        // Add one, drop the down one.
        var summary = run.monitor.reload([try spec("192.0.2.1"), try spec("192.0.2.3")])
        #expect(summary == ReloadSummary(added: 1, removed: 1, changed: 0, watched: 2))
        #expect(waitUntil(timeout: 3) { run.board.host(at: 2).lastPerformed != nil })
        #expect(run.board.snapshot().map(\.domain) == ["192.0.2.1", "192.0.2.3"])
        #expect(run.board.position(domain: "192.0.2.2") == nil)
        let removedPings = pinged(run, 1)
        Thread.sleep(forTimeInterval: 0.2)
        #expect(pinged(run, 1) == removedPings, "a removed host is not pinged")

        // Back, with a new threshold: the same place, still down in the same incident; a reply closes it.
        summary = run.monitor.reload([try spec("192.0.2.2", failureThreshold: 5), try spec("192.0.2.1"), try spec("192.0.2.3")])
        #expect(summary == ReloadSummary(added: 1, removed: 0, changed: 0, watched: 3))
        #expect(run.board.snapshot().map(\.domain) == ["192.0.2.2", "192.0.2.1", "192.0.2.3"])
        #expect(run.board.position(domain: "192.0.2.2") == 1)
        #expect(waitUntil(timeout: 3) { pinged(run, 1) > removedPings })
        #expect(run.state(1) == .down && run.events.opened.count == opened)
        run.network.heal("192.0.2.2")
        #expect(waitUntil(timeout: 3) { run.state(1) == .up })
        #expect(run.events.opened.count == opened && run.events.closed.map(\.domain) == ["192.0.2.2"])
    }

    @Test func aChangedThresholdAppliesWithoutLosingTheStreak() throws {
        let run = try DependencyTests().start([("192.0.2.1", [])])
        defer { run.monitor.stop() }
        // 2 failures take it down at first; raised to 1000 before that, it stays up however long it fails.
        _ = run.monitor.reload([try spec("192.0.2.1", failureThreshold: 1000)])
        run.network.fail("192.0.2.1")
        Thread.sleep(forTimeInterval: 0.3)
        #expect(run.state(0) == .up && run.events.opened.isEmpty)
        // Lowered to 3: the streak already past it takes the host down at its next ping.
        let summary = run.monitor.reload([try spec("192.0.2.1", failureThreshold: 3)])
        #expect(summary.changed == 1)
        #expect(waitUntil(timeout: 1) { run.state(0) == .down })
    }

    @Test func hostsBehindARemovedRouterAreDownOnTheirOwnAtTheirNextFailedPing() throws {
        let run = try DependencyTests().start([("192.0.2.1", []), ("192.0.2.11", ["192.0.2.1"])])
        defer { run.monitor.stop() }
        Thread.sleep(forTimeInterval: 0.1)
        run.network.fail("192.0.2.1", "192.0.2.11")
        #expect(waitUntil(timeout: 3) { run.state(1) == .unreachable })
        #expect(run.announcedOpenings == ["192.0.2.1"])
        _ = run.monitor.reload([try spec("192.0.2.11")])
        #expect(waitUntil(timeout: 3) { run.state(1) == .down })
        #expect(run.announcedOpenings == ["192.0.2.1", "192.0.2.11"])
        #expect(run.board.snapshot().map(\.domain) == ["192.0.2.11"])
    }

    @Test func anotherSpellingOfAnAddressIsAnotherHost() throws {
        let run = try DependencyTests().start([("2001:db8::1", [])])
        defer { run.monitor.stop() }
        let summary = run.monitor.reload([try spec("[2001:db8::1]")])
        #expect(summary == ReloadSummary(added: 1, removed: 1, changed: 0, watched: 1))
        #expect(run.board.snapshot().map(\.domain) == ["[2001:db8::1]"])
        #expect(run.board.position(domain: "2001:db8::1") == 1, "both spellings find the watched host")
    }
}
