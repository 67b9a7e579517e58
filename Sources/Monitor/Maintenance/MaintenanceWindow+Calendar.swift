// The time arithmetic of maintenance windows: whether an instant is inside one, and the spans they cover
// over a period (maintenance time is not counted in uptime); MaintenanceCalendar, a host's windows together.
//
// Daily and weekly windows are in local wall-clock time. An occurrence starts at the first instant whose local
// wall-clock time reaches its start time on that day, and ends at the first instant whose wall clock reaches
// the end time (the same day, or the next when the window crosses midnight); start inclusive, end exclusive.
// So at a daylight-saving change, in Europe/Berlin:
//   2026-03-29, clocks jump 02:00 → 03:00: "Sun 02:00-04:00" runs 03:00 CEST (01:00Z) to 04:00 CEST (02:00Z),
//     one hour (02:00 never shows on the clock; 03:00 is the first instant past it);
//   2026-10-25, clocks fall back 03:00 → 02:00: "Sun 02:00-04:00" runs from the first 02:00 (CEST, 00:00Z)
//     to 04:00 CET (03:00Z), three hours.
// A local day that does not exist (Pacific/Apia skipped 2011-12-30) gives an empty occurrence, which is skipped.
//
// Instants are whole seconds since 1970 (Int); "local" seconds are the wall-clock reading counted the same way.
// Offsets come from TimeZone.secondsFromGMT(for:) and the zone's transitions from
// nextDaylightSavingTimeTransition(after:) (every offset change, not only daylight saving). `contains` is on the
// hot path (every ping): away from a transition it costs one transition look-up and plain arithmetic, and for a
// zone without transitions (UTC) only arithmetic.
import Foundation

private let secondsPerDay = 86_400

extension MaintenanceWindow {
    /// Whether `date` is inside the window (start inclusive, end exclusive).
    package func contains(_ date: Date) -> Bool { occurrence(containing: date) != nil }

    /// The end of the occurrence containing `date`, nil when not inside.
    package func end(ofOccurrenceContaining date: Date) -> Date? { occurrence(containing: date)?.end }

    /// The occurrence containing `date`, nil when not inside.
    package func occurrence(containing date: Date) -> DateInterval? {
        switch schedule {
        case .once(let start, let end):
            return start <= date && date < end ? DateInterval(start: start, end: end) : nil
        case .daily, .weekly:
            guard let t = Self.wholeSeconds(date), let (start, end) = recurringOccurrence(containing: t) else {
                return nil
            }
            return DateInterval(start: Self.date(start), end: Self.date(end))
        }
    }

    /// Every occurrence overlapping [from, until), clipped to it, in order (for uptime: maintenance time is not
    /// counted). The work is one or two offset look-ups per day of the period.
    package func occurrences(from: Date, until: Date) -> [DateInterval] {
        guard from < until else { return [] }
        switch schedule {
        case .once(let start, let end):
            let clippedStart = max(start, from), clippedEnd = min(end, until)
            return clippedStart < clippedEnd ? [DateInterval(start: clippedStart, end: clippedEnd)] : []
        case .daily, .weekly:
            guard let first = Self.wholeSeconds(from), let last = Self.wholeSeconds(until) else { return [] }
            // From two local days before `from` (an occurrence that started earlier and runs into it) to the day
            // after `until` (its local day may still be the previous one).
            let firstDay = Self.floorDivide(first + offset(at: first), secondsPerDay) - 2
            let lastDay = Self.floorDivide(last + offset(at: last), secondsPerDay) + 1
            var spans: [DateInterval] = []
            var day = firstDay
            while day <= lastDay {
                if let (start, end) = occurrence(onDay: day, constantOffset: nil) {
                    let clippedStart = max(Self.date(start), from), clippedEnd = min(Self.date(end), until)
                    if clippedStart < clippedEnd { spans.append(DateInterval(start: clippedStart, end: clippedEnd)) }
                }
                day += 1
            }
            return spans
        }
    }

    // MARK: Daily and weekly occurrences

    /// The occurrence of a daily or weekly window containing instant `t`, as instants.
    private func recurringOccurrence(containing t: Int) -> (start: Int, end: Int)? {
        let constant = constantOffset(around: t)
        let today = Self.floorDivide(t + (constant ?? offset(at: t)), secondsPerDay)
        // With one offset all around, the occurrence holding t began yesterday or today. Near a transition the
        // clock may have been set back past midnight since it began, so tomorrow (by the clock) is a candidate too.
        let lastDay = constant == nil ? today + 1 : today
        var day = today - 1
        while day <= lastDay {
            if let (start, end) = occurrence(onDay: day, constantOffset: constant) {
                if t < start { return nil }
                if t < end { return (start, end) }
            }
            day += 1
        }
        return nil
    }

    /// The occurrence that begins on local day `day` (days since 1970-01-01), nil when the window is not on that
    /// day or the occurrence is empty. With `constantOffset`, the caller knows the zone's offset holds throughout.
    private func occurrence(onDay day: Int, constantOffset: Int?) -> (start: Int, end: Int)? {
        let startMinute: Int, endMinute: Int
        switch schedule {
        case .daily(let start, let end):
            (startMinute, endMinute) = (start, end)
        case .weekly(let weekday, let start, let end):
            guard Self.weekday(ofDay: day) == weekday else { return nil }
            (startMinute, endMinute) = (start, end)
        case .once:
            return nil
        }
        let startLocal = day * secondsPerDay + startMinute * 60
        let endLocal = (endMinute > startMinute ? day : day + 1) * secondsPerDay + endMinute * 60
        if let offset = constantOffset { return (startLocal - offset, endLocal - offset) }
        let start = Self.firstInstant(reaching: startLocal, in: timeZone)
        let end = Self.firstInstant(reaching: endLocal, in: timeZone)
        return start < end ? (start, end) : nil
    }

    /// The zone's offset when it is the same over two days either side of `t` (so every boundary that can matter
    /// for `t` is plain arithmetic), nil when an offset change falls in that span.
    private func constantOffset(around t: Int) -> Int? {
        if let fixedOffset { return fixedOffset }
        let next = timeZone.nextDaylightSavingTimeTransition(after: Self.date(t - 2 * secondsPerDay))
        if let next, next.timeIntervalSince1970 <= Double(t + 2 * secondsPerDay) { return nil }
        return offset(at: t)
    }

    private func offset(at t: Int) -> Int { fixedOffset ?? timeZone.secondsFromGMT(for: Self.date(t)) }

    // MARK: Local time

    /// The first instant whose wall-clock time in `zone` reaches `local` (local seconds since 1970): the instant
    /// the clock shows it, the earlier of two when the clock is set back over it, or the moment the clock jumps
    /// past it when it is set forward over it. Walks the zone's constant-offset spans from a day before.
    static func firstInstant(reaching local: Int, in zone: TimeZone) -> Int {
        let limit = local + secondsPerDay  // offsets are under a day, so the clock reads past `local` by then
        var spanStart = local - secondsPerDay
        for _ in 0..<8 {  // two or three spans in practice; bounded against a zone database that misbehaves
            let offset = zone.secondsFromGMT(for: date(spanStart))
            if spanStart + offset >= local { return spanStart }  // the clock jumped over `local` at this span's start
            let candidate = local - offset
            guard let next = zone.nextDaylightSavingTimeTransition(after: date(spanStart)),
                  let spanEnd = wholeSeconds(next, roundingUp: true), spanEnd > spanStart, spanEnd < limit,
                  candidate >= spanEnd
            else { return candidate }
            spanStart = spanEnd
        }
        return local - zone.secondsFromGMT(for: date(local))
    }

    /// Weekday of a day counted from 1970-01-01 (a Thursday), 1 = Sunday ... 7 = Saturday.
    static func weekday(ofDay day: Int) -> Int { (day + 4 - floorDivide(day + 4, 7) * 7) + 1 }

    static func floorDivide(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// Whole seconds since 1970, rounded down (or up); nil for a date no calendar arithmetic should meet.
    static func wholeSeconds(_ date: Date, roundingUp: Bool = false) -> Int? {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, abs(seconds) < 1e13 else { return nil }
        return Int(roundingUp ? seconds.rounded(.up) : seconds.rounded(.down))
    }

    static func date(_ seconds: Int) -> Date { Date(timeIntervalSince1970: Double(seconds)) }
}

/// A host's maintenance windows together: maintenance while any is open, and their merged spans.
package struct MaintenanceCalendar: Equatable, Sendable {
    package let windows: [MaintenanceWindow]

    package init(_ windows: [MaintenanceWindow] = []) { self.windows = windows }

    package var isEmpty: Bool { windows.isEmpty }

    /// Whether any window contains `date`.
    package func contains(_ date: Date) -> Bool { windows.contains { $0.contains(date) } }

    /// The merged, sorted, non-overlapping spans of all windows over [from, until); spans that overlap or touch
    /// become one.
    package func occurrences(from: Date, until: Date) -> [DateInterval] {
        let all = windows.flatMap { $0.occurrences(from: from, until: until) }.sorted { $0.start < $1.start }
        var merged: [DateInterval] = []
        for span in all {
            if let last = merged.last, span.start <= last.end {
                merged[merged.count - 1] = DateInterval(start: last.start, end: max(last.end, span.end))
            } else {
                merged.append(span)
            }
        }
        return merged
    }
}
