// ThreadQueue as its users rely on it: blocks in order on one thread of its own, timers that fire on time and
// cost that thread one wake-up each (counted by the kernel, /proc/self/task/TID/status), even when set from
// another thread, and a thread that ends with its queue.
import Foundation
import Platform
import Synchronization
import Testing
import TestSupport

@Suite struct ThreadQueueTests {
    /// The calling thread's kernel id.
    static func currentThreadID() -> Int? {
        // "/proc/thread-self" links to "PID/task/TID".
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self"))
            .flatMap { $0.split(separator: "/").last.flatMap { Int($0) } }
    }

    /// How often the thread has gone to sleep (voluntary context switches); nil once it has ended.
    static func sleeps(_ thread: Int) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/task/\(thread)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("voluntary_ctxt_switches:") {
            return Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// The queue's thread id, asked on the queue.
    static func threadID(of queue: ThreadQueue) -> Int? {
        queue.runAndWait { currentThreadID() }
    }

    @Test func blocksRunInOrderOnTheQueuesThreadAndSyncSeesThemDone() throws {
        let queue = try ThreadQueue(name: "tq-order")
        let seen = Mutex<[Int]>([])
        let threads = Mutex<Set<Int>>([])
        for index in 0..<100 {
            queue.async {
                seen.withLock { $0.append(index) }
                if let id = Self.currentThreadID() { threads.withLock { _ = $0.insert(id) } }
            }
        }
        let onQueue = queue.runAndWait { queue.isCurrent }
        #expect(onQueue)
        #expect(!queue.isCurrent)
        #expect(seen.withLock { $0 } == Array(0..<100), "every block ran, in order, before the waiting one")
        #expect(threads.withLock { $0.count } == 1)
        #expect(threads.withLock { $0.first } != Self.currentThreadID())
    }

    /// The point of the queue: setting a timer from another thread does not wake the queue's thread; the timer
    /// wakes it once, when it is due. Two timers whose leeways overlap share that one wake-up, in deadline order.
    @Test func aTimerSetFromAnotherThreadWakesTheQueueOnceWhenItFires() throws {
        let queue = try ThreadQueue(name: "tq-wakes")
        let thread = try #require(Self.threadID(of: queue))
        let fired = Mutex<[String]>([])
        let first = queue.makeTimer { fired.withLock { $0.append("first") } }
        let second = queue.makeTimer { fired.withLock { $0.append("second") } }
        Thread.sleep(forTimeInterval: 0.1)  // the thread is asleep
        let before = try #require(Self.sleeps(thread))
        let start = MonotonicInstant.now()
        first.schedule(after: 0.4, leeway: 0.1)
        second.schedule(after: 0.45, leeway: 0.1)
        Thread.sleep(forTimeInterval: 0.2)
        #expect(Self.sleeps(thread) == before, "arming the timers did not wake the thread")
        #expect(fired.withLock { $0 }.isEmpty)
        #expect(waitUntil(timeout: 5) { fired.withLock { $0.count } == 2 })
        let elapsed = MonotonicInstant.now().seconds(since: start)
        #expect(elapsed >= 0.45 && elapsed < 1.5, "fired at \(elapsed) s, due within 0.45-0.55 s")
        Thread.sleep(forTimeInterval: 0.1)
        #expect(Self.sleeps(thread) == before + 1, "one wake-up for both timers")
        #expect(fired.withLock { $0 } == ["first", "second"], "timers due together run in deadline order")
    }

    /// A timer allowed to run early (the journal's alive mark) runs in a wake-up the thread has for a block shortly
    /// before its deadline, and is next due a period after that, so it keeps riding along instead of waking the
    /// thread on its own; with nothing else to wake the thread it still fires at its deadline, not before.
    @Test func aTimerAllowedToRunEarlyRidesAWakeUpForOtherWork() throws {
        let queue = try ThreadQueue(name: "tq-early")
        let thread = try #require(Self.threadID(of: queue))
        let fired = Mutex<[MonotonicInstant]>([])
        let alive = queue.makeTimer { fired.withLock { $0.append(.now()) } }
        let alone = Mutex<[MonotonicInstant]>([])
        let lone = queue.makeTimer { alone.withLock { $0.append(.now()) } }
        Thread.sleep(forTimeInterval: 0.1)
        let start = MonotonicInstant.now()
        alive.schedule(after: 0.8, repeating: 1.5, early: 0.7)
        lone.schedule(after: 0.5, early: 0.45)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(alone.withLock { $0 }.isEmpty, "early, with nothing to wake the thread: not yet")
        let before = try #require(Self.sleeps(thread))
        queue.async {}  // the thread wakes for this block at 0.3 s: the alive timer (due at 0.8) runs with it
        #expect(waitUntil(timeout: 5) { fired.withLock { $0.count } == 1 && alone.withLock { $0.count } == 1 })
        let first = try #require(fired.withLock { $0.first }).seconds(since: start)
        #expect(first < 0.7, "ran with the block at 0.3 s, not at its deadline (ran at \(first) s)")
        Thread.sleep(forTimeInterval: 1.0)  // to 1.3 s: past the alive timer's first deadline, before its next
        #expect(fired.withLock { $0.count } == 1, "next due a period after it ran, not at its old deadline")
        #expect(Self.sleeps(thread) == before + 1, "the early timer cost no wake-up of its own")
        #expect(waitUntil(timeout: 5) { fired.withLock { $0.count } == 2 })
        let second = try #require(fired.withLock { $0.last }).seconds(since: start)
        #expect(second >= 1.7, "alone, it waits for its deadline (ran at \(second) s)")
    }

    @Test func repeatingTimersRepeatUntilCancelledAndSoonerWins() throws {
        let queue = try ThreadQueue(name: "tq-timers")
        let ticks = Atomic<Int>(0)
        let repeating = queue.makeTimer { ticks.add(1, ordering: .relaxed) }
        repeating.schedule(after: 0.05, repeating: 0.05)
        #expect(waitUntil(timeout: 5) { ticks.load(ordering: .relaxed) >= 3 })
        repeating.cancel()
        Thread.sleep(forTimeInterval: 0.05)  // a firing under way finishes
        let stopped = ticks.load(ordering: .relaxed)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(ticks.load(ordering: .relaxed) == stopped, "no tick after cancel")

        let fired = Mutex<[MonotonicInstant]>([])
        let once = queue.makeTimer { fired.withLock { $0.append(.now()) } }
        let start = MonotonicInstant.now()
        once.scheduleUnlessSooner(after: 0.1)
        once.scheduleUnlessSooner(after: 5)  // later: the sooner one stays
        #expect(waitUntil(timeout: 3) { fired.withLock { $0.count } == 1 })
        #expect(try #require(fired.withLock { $0.first }).seconds(since: start) < 2)
        let later = Atomic<Bool>(false)
        queue.asyncAfter(seconds: 0.1) { later.store(true, ordering: .relaxed) }
        #expect(waitUntil(timeout: 3) { later.load(ordering: .relaxed) })
        #expect(fired.withLock { $0.count } == 1, "a one-shot timer fires once")
    }

    @Test func releasingTheQueueEndsItsThread() throws {
        var queue: ThreadQueue? = try ThreadQueue(name: "tq-end")
        let thread = try #require(queue.flatMap(Self.threadID(of:)))
        #expect(Self.sleeps(thread) != nil)
        queue = nil
        #expect(waitUntil(timeout: 5) { Self.sleeps(thread) == nil }, "the thread ended")
    }
}
