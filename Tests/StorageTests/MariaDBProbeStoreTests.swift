// The probes table and observations against the real server: a probe's heartbeat and views come back, a probe
// silent for longer than 3 × its interval + 10 s (by the database's clock) is not live, and a view written again
// replaces the old one; settling a host behind a down ancestor records it with its parent and sends nothing,
// until the views say it is down on its own.
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
                             lossPercent: 100, cause: "no reply to 3 pings (timeout 1s)", outage: .own)
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
        recovered.outage = nil
        try store.write(probe: "home", version: "1.0", intervalMilliseconds: 1000, hosts: 1,
                        observations: [Observation(checkID: 7, view: recovered)])
        #expect(try store.observations()[7]?.first?.view == recovered)
        try store.forget(probe: "home", checkIDs: [7])
        #expect(try store.observations()[7]?.map(\.view.probe) == ["office"])
    }

    @Test func anUnreachableHostsIncidentIsRecordedBehindItsParentAndNotifiedOnlyWhenItIsItsOwn() throws {
        let database = try TestDatabase.create()
        defer { database.drop() }
        let store = MariaDBProbeStore(configuration: database.configuration)
        try store.migrate()
        let admin = MariaDBConnection(configuration: database.configuration)
        try admin.run("INSERT INTO checks (id, domain) VALUES (1, 'router.lan'), (2, 'nas.lan')")
        try admin.run("INSERT INTO incidents (id, check_id, description, down_detection) VALUES (10, 1, 'router', NOW(3))")
        func outbox() throws -> [String] {
            try admin.query("SELECT CONCAT(incident_id, ' ', event) FROM notification_outbox ORDER BY id",
                            columns: [.text]).compactMap { $0.first?.text }
        }

        let opened = try store.settle(checkID: 2) { _, ongoing in
            #expect(ongoing == nil)
            return .open(downDetection: t0, description: "unreachable", kind: .unreachable(behind: "router.lan"))
        }
        guard case .opened(let id, _, _, _) = opened else { Issue.record("\(opened)"); return }
        let row = try admin.query("SELECT parent_incident_id, maintenance, announced FROM incidents WHERE id = ?",
                                  [.int(id)], columns: [.int, .int, .int]).first
        #expect(row?.map(\.int) == [10, 0, 0])
        #expect(try outbox() == [])
        #expect(try store.ongoingIncidents()[2]?.announced == false)

        // Another ancestor's verdict does not notify it; the host down on its own does, once.
        #expect(try store.settle(checkID: 2) { _, _ in .reclassify(description: "x", kind: .maintenance) } == .unchanged)
        let own = try store.settle(checkID: 2) { _, _ in .reclassify(description: "no reply", kind: .own) }
        #expect(own == .reclassified(incidentID: id, kind: .own))
        #expect(try store.settle(checkID: 2) { _, _ in .reclassify(description: "no reply", kind: .own) } == .unchanged)
        #expect(try outbox() == ["\(id) opened"])
        let parent = try admin.query("SELECT parent_incident_id FROM incidents WHERE id = ?", [.int(id)], columns: [.int])
        #expect(parent.first?.first?.int == 10, "the parent stays, as history")
        _ = try store.settle(checkID: 2) { _, _ in .close(upDetection: t0 + 60) }
        #expect(try outbox() == ["\(id) opened", "\(id) closed"])

        // In a maintenance window: recorded, closed quietly.
        let quiet = try store.settle(checkID: 2) { _, _ in .open(downDetection: t0 + 120, description: "m", kind: .maintenance) }
        guard case .opened(let second, _, _, _) = quiet else { Issue.record("\(quiet)"); return }
        #expect(try store.settle(checkID: 2) { _, _ in .close(upDetection: t0 + 180) }
            == .closed(incidentID: second, upDetection: t0 + 180, announced: false))
        #expect(try outbox() == ["\(id) opened", "\(id) closed"])

        // An incident one probe's monitor wrote (no `announced`) is notified when it closes unless it is marked.
        #expect(try store.ongoingIncidents()[1]?.announced == true)
    }
}
