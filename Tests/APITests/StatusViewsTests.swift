// When /status bodies are rebuilt: at once when a host goes down or up, and for a ping that only moves
// last_performed at most once per refresh interval, ahead of the next poll.
import Dispatch
import Foundation
import Testing
@testable import API
import HTTP
import Logging
import Monitor
import Storage
import Uptime
import Encoding
import TestSupport

@Suite struct StatusViewsTests {
    func makeBoard() -> StatusBoard {
        StatusBoard(hosts: [
            HostStatus(id: 1, domain: "nas.lan", lastPerformed: Date()),
            HostStatus(id: 2, domain: "printer.lan", lastPerformed: Date()),
        ])
    }

    func body(_ view: StatusView) -> String { String(decoding: view.all, as: UTF8.self) }

    @Test func aHostGoingDownIsServedAtOnce() {
        let board = makeBoard()
        var cache = LoopStatusCache(views: StatusViews(board: board, refreshInterval: 3600))
        let before = cache.current()
        #expect(cache.current() === before, "an unchanged board reuses the same bytes")
        board.ping(1, down: true)
        let after = cache.current()
        #expect(after !== before && after.etag != before.etag)
        #expect(String(decoding: after.down, as: UTF8.self).contains("printer.lan"))
    }

    @Test func aPingThatOnlyMovesLastPerformedIsInTheViewBuiltOnceTheServedOnesIntervalIsUp() throws {
        let board = makeBoard()
        let views = StatusViews(board: board, refreshInterval: 0.3)
        var cache = LoopStatusCache(views: views)
        let before = cache.current()
        let later = Date(timeIntervalSinceNow: 5)
        board.ping(0, at: later, down: false, rtt: 2)
        #expect(cache.servable() === before, "not rebuilt for a time-only change inside the interval")
        // The served view's successor is built once the interval is up, with no request asking for it: the next
        // request gets the new times at once, not the bytes the last one got.
        Thread.sleep(forTimeInterval: 0.45)
        var newer: StatusView?
        #expect(waitUntil(timeout: 2) {
            newer = views.servableNow()
            return newer != nil && newer !== before
        })
        let after = try #require(newer)
        #expect(body(after).contains(JSONText.time(later)))
        #expect(cache.servable() === after)
    }

    @Test func aPollerSeesNewTimesAtEveryPollWithoutWaitingAndAnUnpolledBoardIsRebuiltOnceAtMost() throws {
        let board = makeBoard()
        let views = StatusViews(board: board, refreshInterval: 0.2, staleLimit: 2)
        var cache = LoopStatusCache(views: views)
        var seen: [String] = []
        for poll in 0..<4 {
            let view = try #require(cache.servable() ?? (poll == 0 ? cache.current() : nil), "poll \(poll) waited")
            seen.append(body(view))
            board.ping(0, at: Date(timeIntervalSinceNow: Double(poll + 1)), down: false, rtt: 2)
            Thread.sleep(forTimeInterval: 0.5)
        }
        #expect(Set(seen).count == seen.count, "a poll was answered with the bytes of the one before")
        // The view built after the last poll is served; the board's next change builds one more view; nobody asks
        // for that one, so nothing is built after it.
        let last = try #require(views.servableNow())
        Thread.sleep(forTimeInterval: 0.3)  // its refresh interval ends with no ping: nothing is built
        #expect(views.newestBuilt() === last)
        board.ping(0, at: Date(timeIntervalSinceNow: 9), down: false, rtt: 2)
        #expect(waitUntil(timeout: 2) { views.newestBuilt() !== last }, "the board's next change built the next view")
        let unasked = try #require(views.newestBuilt())
        board.ping(0, at: Date(timeIntervalSinceNow: 10), down: false, rtt: 2)
        Thread.sleep(forTimeInterval: 0.5)
        #expect(views.newestBuilt() === unasked, "nothing was built while nobody asked")
        #expect(views.servableNow() === unasked, "a request after the board moved on is answered at once")
        #expect(waitUntil(timeout: 2) { views.newestBuilt() !== unasked }, "while a newer one is built")
    }

    @Test func aPingAfterTheServedViewsRefreshIntervalIsInTheViewTheNextPollGetsAtOnce() throws {
        let board = makeBoard()
        let views = StatusViews(board: board, refreshInterval: 0.2, staleLimit: 5)
        var cache = LoopStatusCache(views: views)
        let first = cache.current()
        Thread.sleep(forTimeInterval: 0.4)  // its refresh interval ends with no ping
        let later = Date(timeIntervalSinceNow: 7)
        board.ping(1, at: later, down: false, rtt: 2)  // as a dashboard's poll a second apart would find them
        #expect(waitUntil(timeout: 2) { views.newestBuilt() !== first }, "built at the board's change, with no request")
        let answer = cache.servable()
        let next = try #require(answer, "the next poll is answered at once")
        #expect(next !== first && body(next).contains(JSONText.time(later)))
    }

    @Test func aViewFirstServedASecondAgoIsNotServedAgainOnceTheBoardMovedOn() throws {
        let board = makeBoard()
        let views = StatusViews(board: board, refreshInterval: 0.2, staleLimit: 5)
        var cache = LoopStatusCache(views: views)
        let first = cache.current()
        Thread.sleep(forTimeInterval: 0.3)  // its refresh interval ends with no ping
        board.ping(0, at: Date(timeIntervalSinceNow: 5), down: false, rtt: 2)
        #expect(views.servableNow() === first, "first served 0.3 s ago: at once, a newer one is built meanwhile")
        #expect(waitUntil(timeout: 2) { views.servableNow() !== first })
        let second = try #require(views.servableNow())
        Thread.sleep(forTimeInterval: 1)
        board.ping(0, at: Date(timeIntervalSinceNow: 6), down: false, rtt: 2)
        #expect(views.servableNow() == nil, "first served a second ago: a poller would get the same bytes again")
        #expect(cache.current() !== second)
    }

    @Test func aViewOlderThanTheStaleLimitOrWithAHostDownSinceWaitsForABuild() throws {
        let board = makeBoard()
        let views = StatusViews(board: board, refreshInterval: 0.1, staleLimit: 0.2)
        var cache = LoopStatusCache(views: views)
        #expect(cache.servable() == nil, "nothing built yet")
        let first = views.current()  // built and never served: no refresh follows it
        Thread.sleep(forTimeInterval: 0.25)
        board.ping(0, at: Date(timeIntervalSinceNow: 5), down: false, rtt: 2)
        #expect(cache.servable() == nil, "too old to stand for the board")
        let built = DispatchSemaphore(value: 0)
        views.whenCurrent { view in
            if view !== first { built.signal() }
        }
        #expect(built.wait(timeout: .now() + 2) == .success)
        let second = cache.current()
        board.ping(1, down: true)
        #expect(cache.servable() == nil, "a host that went down is never served from an older view")
        #expect(String(decoding: cache.current().down, as: UTF8.self).contains("printer.lan") && second !== first)
    }
}

@Suite struct PayloadTests {
    @Test(arguments: HostState.allCases)
    func theHostFilesFieldsEndEveryCheckWhetherWrittenInOneLiteralOrOneByOne(state: HostState) throws {
        func tail(_ host: HostStatus) -> String {
            let json = String(decoding: Payloads.one(CheckView(host: host), Payloads.check), as: UTF8.self)
            return String(json[json.range(of: ",\"name\":")!.lowerBound...])
        }
        var plain = HostStatus(id: 1, domain: "[2001:db8::1]")
        plain.state = state
        #expect(tail(plain) == ",\"name\":\"[2001:db8::1]\",\"group\":null,\"parents\":[],\"state\":\"\(state.rawValue)\",\"behind\":null}")
        var described = plain
        described.name = "Lab \"box\""
        described.group = "core"
        described.parents = ["router.lan", "192.0.2.1"]
        described.behind = "router.lan"
        let behind = state == .unreachable ? "\"router.lan\"" : "null"
        #expect(tail(described) == ",\"name\":\"Lab \\\"box\\\"\",\"group\":\"core\",\"parents\":[\"router.lan\",\"192.0.2.1\"],"
                + "\"state\":\"\(state.rawValue)\",\"behind\":\(behind)}")
    }

    @Test func aDownHostShowsSinceWhenAndHowLongItsIncidentHasLasted() {
        let now = Date()
        let since = now.addingTimeInterval(-312.5)
        let ledger = UptimeLedger(domains: ["nas.lan"], started: now.addingTimeInterval(-3600))
        let host = HostStatus(id: 1, domain: "nas.lan", lastPerformed: now, isDown: true, downSince: since)
        let view = CheckView(host: host, figures: ledger.figures(position: 0, downSince: since, now: now))
        let json = String(decoding: Payloads.one(view, Payloads.check), as: UTF8.self)
        #expect(json.contains("\"down_for_s\":312.500"))
        #expect(json.contains("\"down_since\":\"\(JSONText.time(since))\""))
        #expect(json.contains("\"status\":false"))
    }

    @Test func theCheckPayloadCarriesLossBesideTheContractFields() {
        var host = HostStatus(id: 1, domain: "nas.lan")
        #expect(String(decoding: Payloads.one(CheckView(host: host), Payloads.check), as: UTF8.self).contains("\"rtt_ms\":null,\"loss_pct\":null,"))
        host.recent.record(success: true)
        host.recent.record(success: false)
        #expect(String(decoding: Payloads.one(CheckView(host: host), Payloads.check), as: UTF8.self).contains("\"loss_pct\":50.000,"))
    }
}
