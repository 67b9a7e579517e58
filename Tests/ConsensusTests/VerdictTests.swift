// The consensus of several probes' views: quorum sizes, which moment an incident begins, what it says, and that
// a probe that is not live (not among the views) neither takes a host down nor blocks a decision.
import Consensus
import Foundation
import Testing

struct VerdictTests {
    let t0 = Date(timeIntervalSince1970: 1_764_000_000)

    func view(_ probe: String, down: Bool, at offset: Double, cause: String? = nil) -> ProbeView {
        ProbeView(probe: probe, isDown: down, since: t0 + offset, cause: down ? (cause ?? "no reply to 3 pings (timeout 1s)") : nil)
    }

    @Test(arguments: [(Quorum.majority, 1, 1), (.majority, 2, 2), (.majority, 3, 2), (.majority, 4, 3), (.all, 3, 3),
                      (.one, 3, 1), (.count(2), 3, 2), (.count(5), 3, 3), (.count(2), 1, 1)] as [(Quorum, Int, Int)])
    func quorumSizes(quorum: Quorum, live: Int, required: Int) {
        #expect(quorum.required(live: live) == required)
    }

    @Test func quorumIsReadFromItsVariable() {
        #expect(Quorum("majority") == .majority)
        #expect(Quorum("ALL") == .all)
        #expect(Quorum("1") == .one)
        #expect(Quorum("2") == .count(2))
        for bad in ["", "0", "half", "-1", "1.5", "101"] { #expect(Quorum(bad) == nil, "\(bad)") }
    }

    @Test func oneProbeOfThreeSeeingItDownLeavesTheHostUp() {
        let views = [view("home", down: true, at: 5), view("office", down: false, at: 0), view("lab", down: false, at: 1)]
        #expect(Verdict.of(views, quorum: .majority) == .up(since: t0 + 1))
    }

    @Test func theSecondProbeToSeeItDownCompletesTheQuorumAndNamesEveryProbe() {
        let views = [view("home", down: true, at: 5), view("office", down: true, at: 9), view("lab", down: false, at: 1)]
        #expect(Verdict.of(views, quorum: .majority)
            == .down(since: t0 + 9, description: "no reply to 3 pings (timeout 1s) at home and office; lab still answered"))
    }

    @Test func differentCausesAreEachNamedWithTheirProbes() {
        let views = [view("home", down: true, at: 5, cause: "host unreachable, reported by 192.0.2.1"),
                     view("office", down: true, at: 2), view("lab", down: true, at: 3)]
        #expect(Verdict.of(views, quorum: .majority) == .down(since: t0 + 3, description:
            "no reply to 3 pings (timeout 1s) at office and lab; host unreachable, reported by 192.0.2.1 at home"))
    }

    @Test func aSplitThatNoQuorumDecidesChangesNothing() {
        let views = [view("home", down: true, at: 5), view("office", down: false, at: 2)]
        #expect(Verdict.of(views, quorum: .majority) == .undecided)
        #expect(Verdict.of(views, quorum: .all) == .undecided)
    }

    @Test func withAQuorumOfOneAnyProbeThatSeesItDownTakesItDown() {
        let views = [view("home", down: true, at: 5), view("office", down: false, at: 2), view("lab", down: false, at: 2)]
        #expect(Verdict.of(views, quorum: .one) == .down(since: t0 + 5, description:
            "no reply to 3 pings (timeout 1s) at home; lab and office still answered"))
    }

    @Test func aDeadProbeLeavesTheQuorum() {
        // home and office saw it down; office stopped writing, so only home and lab are live: 1 of 2 is no majority.
        let live = [view("home", down: true, at: 5), view("lab", down: false, at: 1)]
        #expect(Verdict.of(live, quorum: .majority) == .undecided)
        // and with lab gone too, home alone decides.
        #expect(Verdict.of([live[0]], quorum: .majority)
            == .down(since: t0 + 5, description: "no reply to 3 pings (timeout 1s) at home"))
    }

    @Test func theVerdictDoesNotDependOnTheOrderOfTheViews() {
        let views = [view("a", down: true, at: 3), view("b", down: true, at: 3), view("c", down: true, at: 1)]
        let verdicts = Set([views, views.reversed(), [views[1], views[2], views[0]]].map { "\(Verdict.of($0, quorum: .majority))" })
        #expect(verdicts.count == 1)
    }

    func outage(_ probe: String, _ outage: Outage, behind: String? = nil, at offset: Double) -> ProbeView {
        ProbeView(probe: probe, isDown: true, since: t0 + offset, cause: "c", outage: outage, behind: behind)
    }

    @Test func hostsBehindADownRouterEverywhereAreUnreachableAndNotNotified() {
        let views = [outage("home", .unreachable, behind: "router", at: 1), outage("office", .unreachable, behind: "router", at: 2),
                     view("lab", down: false, at: 0)]
        guard case .down(_, _, let kind) = Verdict.of(views, quorum: .majority) else { Issue.record("not down"); return }
        #expect(kind == .unreachable(behind: "router"))
        #expect(!kind.announced)
    }

    @Test func oneProbeThatSeesTheParentAnswerMakesItTheHostsOwnOutage() {
        let views = [outage("home", .unreachable, behind: "router", at: 1), outage("office", .own, at: 2)]
        guard case .down(_, _, let kind) = Verdict.of(views, quorum: .majority) else { Issue.record("not down"); return }
        #expect(kind == .own)
    }

    @Test func aProbeAwaitingItsParentsVerdictHoldsTheDecision() {
        let views = [outage("home", .unreachable, behind: "router", at: 1), outage("office", .awaiting, at: 2)]
        #expect(Verdict.of(views, quorum: .majority) == .undecided)
        let decided = [views[0], outage("office", .unreachable, behind: "router", at: 2)]
        #expect(Verdict.of(decided, quorum: .majority) != .undecided)
    }

    @Test func aWindowInAnyProbesHostFileKeepsTheOutageUnnotified() {
        let views = [outage("home", .maintenance, at: 1), outage("office", .own, at: 2), outage("lab", .own, at: 3)]
        guard case .down(_, _, let kind) = Verdict.of(views, quorum: .majority) else { Issue.record("not down"); return }
        #expect(kind == .maintenance)
    }

    @Test func theAncestorMostViewsNameIsTheOneItIsBehind() {
        let views = [outage("a", .unreachable, behind: "switch", at: 1), outage("b", .unreachable, behind: "router", at: 2),
                     outage("c", .unreachable, behind: "router", at: 3)]
        #expect(IncidentKind.of(down: views) == .unreachable(behind: "router"))
        #expect(IncidentKind.of(down: Array(views.prefix(2))) == .unreachable(behind: "switch"))
    }
}
