// The hosts' timers on the ping queue: each fires at its place in its interval's schedule (MonitorSchedule),
// pings the host (or counts a failed look-up), and records how late it fired.
import Dispatch
import Foundation
import ICMP
import Platform

extension MonitorCore {
    /// Starts every host's timer, measured from now; names are looked up first.
    func startAll() {
        let base = DispatchTime.now()
        self.base = base
        for host in hosts { begin(host, base: base) }
    }

    /// Looks the host up if it is a name, then starts its timer.
    func begin(_ host: HostRuntime, base: DispatchTime) {
        let (phase, first) = host.schedule.place(of: host.rank)
        resolve(host) { [weak self] in self?.startTimer(host, base: base, phase: phase, first: first) }
    }

    /// The host's timer fires at `base` + `phase` + k × interval (a name's timer, started after its look-up, at
    /// the next such time); when that is more than a second after `first`, one extra ping goes out at `first`.
    func startTimer(_ host: HostRuntime, base: DispatchTime, phase: UInt64, first: UInt64) {
        guard !stopped, !host.retired, host.timer == nil else { return }
        let schedule = host.schedule
        let now = DispatchTime.now()
        let elapsed = now.uptimeNanoseconds - min(now.uptimeNanoseconds, base.uptimeNanoseconds)
        let offset = schedule.firstDeadline(phase: phase, elapsed: elapsed)
        let deadline = base + .nanoseconds(Int(offset))
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let leeway = min(schedule.interval / 100, 5_000_000)
        timer.schedule(deadline: deadline, repeating: .nanoseconds(Int(schedule.interval)), leeway: .nanoseconds(Int(leeway)))
        timer.setEventHandler { [weak self] in self?.tick(host, scheduled: true) }
        host.timer = timer
        host.nextDue = MonotonicInstant.now().nanoseconds + (offset > elapsed ? offset - elapsed : 0)
        timer.resume()
        if schedule.needsEarlyPing(deadline: offset, first: first) {
            let position = host.position
            queue.asyncAfter(deadline: max(base + .nanoseconds(Int(first)), now)) { [weak home] in
                guard let core = home?.value else { return }  // on the ping queue: the box checks it
                let host = core.hosts[position]
                if host.timer != nil { core.tick(host, scheduled: false) }
            }
        }
    }

    func stopTimer(_ host: HostRuntime) {
        host.timer?.cancel()
        host.timer = nil
        host.nextDue = nil
    }

    func tick(_ host: HostRuntime, scheduled: Bool) {
        guard !stopped, !host.retired else { return }
        ticks.record()
        if scheduled { measureLateness(host) }
        if host.needsResolution(now: .now(), refresh: Self.resolutionRefresh) {
            resolve(host) {}
        }
        guard let address = host.address else {
            if let error = host.resolutionError {
                let now = Date()
                let number = host.tracker.nextPing()
                let failure = PingFailure.unresolved(name: error.name, reason: error.reason)
                handle(host, .completed(number: number, PingResult(outcome: .failed(failure), sentAt: now, completedAt: now)))
            }
            return
        }
        pinger.ping(address, tag: PingTag(host: host.position, number: host.tracker.nextPing()),
                    timeoutNanoseconds: host.settings.timeout.nanoseconds)
    }

    /// Records how late this tick fired against the host's schedule; a tick Dispatch skipped counts as late
    /// by the time since it was due.
    private func measureLateness(_ host: HostRuntime) {
        guard let due = host.nextDue else { return }
        let now = MonotonicInstant.now().nanoseconds
        lateness.record(nanoseconds: now < due ? 0 : now - due)
        host.nextDue = host.schedule.nextDue(after: due, now: now)
    }
}
