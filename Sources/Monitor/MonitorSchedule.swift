// When each host is pinged. The interval is cut into slots and the hosts are spread evenly over them; the timers
// of one slot share one deadline, so Dispatch fires them in one wake-up and the ping queue sends them in one go. A
// wake-up costs several thread switches (tens of microseconds each on a small VM), far more than a ping, so a slot
// holds at least 64 hosts when there are that many and slots are never shorter than 10 ms: 10,000 hosts at 1 s
// are 100 pings every 10 ms, 1,000 hosts are 15 slots of 66 or 67, and up to 127 hosts go out together once per
// interval (as fping sends them). With a long interval the first pings still all happen within a second of start,
// so /status fills in at once. Hosts with their own interval (the host file's `interval=`) are spread over their
// own schedule, one per distinct interval. Pure arithmetic on nanoseconds.

struct MonitorSchedule {
    /// The schedule's granularity: hosts whose places fall in one slot are pinged together.
    static let slotNanoseconds: UInt64 = 10_000_000
    /// The fewest hosts a slot holds (when there are that many): fewer slots, fewer wake-ups.
    static let hostsPerSlot: UInt64 = 64

    let interval: UInt64
    private let hostCount: UInt64
    private let slots: UInt64
    private let firstSpread: UInt64

    init(intervalNanoseconds: UInt64, hostCount: Int) {
        interval = max(intervalNanoseconds, 1)
        self.hostCount = UInt64(max(hostCount, 1))
        slots = max(1, min(self.hostCount / Self.hostsPerSlot, interval / Self.slotNanoseconds))
        firstSpread = min(interval, 1_000_000_000)
    }

    /// One schedule per distinct interval, and each host's rank in its own, for hosts with these intervals.
    static func places(of intervals: [UInt64]) -> [(schedule: MonitorSchedule, rank: Int)] {
        var counts: [UInt64: Int] = [:]
        for interval in intervals { counts[interval, default: 0] += 1 }
        var ranks: [UInt64: Int] = [:]
        return intervals.map { interval in
            let rank = ranks[interval, default: 0]
            ranks[interval] = rank + 1
            return (MonitorSchedule(intervalNanoseconds: interval, hostCount: counts[interval] ?? 1), rank)
        }
    }

    /// Where the host at `position` sits: its timer fires at start + `phase` + k × interval, and its very first
    /// ping goes out at start + `first`.
    func place(of position: Int) -> (phase: UInt64, first: UInt64) {
        let slot = UInt64(position) * slots / hostCount
        return (interval * slot / slots, firstSpread * slot / slots)
    }

    /// The offset from start of the host's first timer deadline that is not in the past at `elapsed` nanoseconds
    /// after start (a name's timer starts once its look-up has answered).
    func firstDeadline(phase: UInt64, elapsed: UInt64) -> UInt64 {
        guard elapsed > phase else { return phase }
        return phase + ((elapsed - phase) / interval + 1) * interval
    }

    /// Whether an extra first ping is due at `first`: when the timer's first deadline is more than a second later.
    func needsEarlyPing(deadline: UInt64, first: UInt64) -> Bool {
        deadline > first + 1_000_000_000
    }

    /// The due time after `due` that is not before `now` (a tick Dispatch skipped counts as late).
    func nextDue(after due: UInt64, now: UInt64) -> UInt64 {
        var next = due + interval
        while next < now { next += interval }
        return next
    }
}
