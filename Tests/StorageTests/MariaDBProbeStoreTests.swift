// The probes table and observations against the real server: a probe's heartbeat and views come back, a probe
// silent for longer than 3 × its interval + 10 s (by the database's clock) is not live, and a view written again
// replaces the old one.
import Foundation
import Testing
@testable import Storage
import Consensus
import TestSupport

@Suite struct MariaDBProbeStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_764_000_000)

    @Test func probesAndTheirViewsComeBackWithTheirLiveness() throws {
        let database = try TestDatabase.create()
        defer { database.drop() }
        let store = MariaDBProbeStore(configuration: database.configuration)
        try store.migrate()
        let down = ProbeView(probe: "home", isDown: true, since: t0, lastPerformed: t0 + 2, rttMilliseconds: nil,
                             lossPercent: 100, cause: "no reply to 3 pings (timeout 1s)")
        let up = ProbeView(probe: "office", isDown: false, since: t0 - 60, lastPerformed: t0 + 1, rttMilliseconds: 0.431,
                           lossPercent: 1.563, cause: nil)
        try store.write(probe: "home", version: "1.0", intervalMilliseconds: 1000, hosts: 1,
                        observations: [Observation(checkID: 7, view: down)])
        try store.write(probe: "office", version: "1.0", intervalMilliseconds: 1000, hosts: 1,
                        observations: [Observation(checkID: 7, view: up)])
        // office last wrote 14 s ago: beyond its 3 × 1 s + 10 s.
        let admin = MariaDBConnection(configuration: database.configuration)
        try admin.run("UPDATE probes SET last_seen = NOW(3) - INTERVAL 14 SECOND WHERE name = 'office'")

        let probes = try store.probes()
        #expect(probes.map(\.name) == ["home", "office"])
        #expect(probes.map(\.live) == [true, false])
        #expect(probes[0].hosts == 1 && probes[0].intervalMilliseconds == 1000 && probes[0].version == "1.0")

        let views = try store.observations()[7] ?? []
        #expect(views.map(\.live) == [true, false])
        #expect(views.map(\.view) == [down, up])

        // A view written again replaces the old one; a probe forgetting a check takes its view away.
        var recovered = down
        recovered.isDown = false
        recovered.since = t0 + 30
        recovered.cause = nil
        try store.write(probe: "home", version: "1.0", intervalMilliseconds: 1000, hosts: 1,
                        observations: [Observation(checkID: 7, view: recovered)])
        #expect(try store.observations()[7]?.first?.view == recovered)
        try store.forget(probe: "home", checkIDs: [7])
        #expect(try store.observations()[7]?.map(\.view.probe) == ["office"])
    }
}
