// When /status bodies are rebuilt: at once when a host goes down or up, and for a ping that only moves
// last_performed at most once per refresh interval.
import Foundation
import Testing
@testable import StatusCore

@Suite struct StatusViewsTests {
    func makeBoard() -> StatusBoard {
        StatusBoard(hosts: [
            HostStatus(check: Check(id: 1, domain: "nas.lan", lastPerformed: Date(), status: true), isDown: false, lastRTTMilliseconds: 1),
            HostStatus(check: Check(id: 2, domain: "printer.lan", lastPerformed: Date(), status: true), isDown: false, lastRTTMilliseconds: 1),
        ])
    }

    func body(_ view: StatusView) -> String { String(decoding: view.all, as: UTF8.self) }

    @Test func aHostGoingDownIsServedAtOnce() {
        let board = makeBoard()
        var cache = LoopStatusCache(views: StatusViews(board: board, refreshInterval: 3600))
        let before = cache.current()
        #expect(cache.current() === before, "an unchanged board reuses the same bytes")
        board.update(1) { $0.isDown = true; $0.check.lastPerformed = Date() }
        let after = cache.current()
        #expect(after !== before && after.etag != before.etag)
        #expect(String(decoding: after.down, as: UTF8.self).contains("printer.lan"))
    }

    @Test func aPingThatOnlyMovesLastPerformedIsServedWithinTheRefreshInterval() throws {
        let board = makeBoard()
        var cache = LoopStatusCache(views: StatusViews(board: board, refreshInterval: 0.3))
        let before = cache.current()
        let later = Date(timeIntervalSinceNow: 5)
        board.update(0) { $0.check.lastPerformed = later; $0.lastRTTMilliseconds = 2 }
        #expect(cache.current() === before, "not rebuilt for a time-only change inside the interval")
        Thread.sleep(forTimeInterval: 0.35)
        let after = cache.current()
        #expect(after !== before && body(after).contains(JSONText.time(later)))
        #expect(cache.current() === after)
    }
}
