// Rollups to bytes and back: every field exactly as it was (and the count sent, read from the head alone), bytes
// that are not a rollup (cut short anywhere, another version, counts that disagree) refused rather than misread,
// and the size of a typical minute.
import Foundation
import Testing
@testable import History

@Suite struct RollupEncodingTests {
    func minute(seed: UInt64, loss: Double = 0.05) -> PingRollup {
        var random = RTTSketchTests.SplitMix(state: seed)
        var rollup = PingRollup()
        for _ in 0..<60 {
            if Double.random(in: 0...1, using: &random) < loss { rollup.loss() } else {
                rollup.reply(20 * Double.random(in: 0.75...1.25, using: &random))
            }
        }
        return rollup
    }

    @Test func rollupsComeBackExactly() throws {
        for seed in 0..<100 as Range<UInt64> {
            let rollup = minute(seed: seed, loss: Double(seed % 4) / 4)
            #expect(PingRollup(encoded: rollup.encoded) == rollup)
            #expect(PingRollup.sent(encoded: rollup.encoded) == rollup.sent)
        }
        var lossOnly = PingRollup()
        lossOnly.loss()
        #expect(PingRollup(encoded: lossOnly.encoded) == lossOnly)
        #expect(PingRollup(encoded: PingRollup().encoded) == PingRollup())
        var extremes = PingRollup()
        for rtt in [0.0, 0.0005, 600_000, 1e9] { extremes.reply(rtt) }
        #expect(PingRollup(encoded: extremes.encoded) == extremes)
    }

    @Test func bytesThatAreNotARollupAreRefused() {
        let bytes = minute(seed: 7).encoded
        for length in 0..<bytes.count {
            #expect(PingRollup(encoded: Array(bytes[..<length])) == nil, "cut at \(length) of \(bytes.count)")
        }
        #expect(PingRollup(encoded: bytes + [0]) == nil, "a byte too many")
        var otherVersion = bytes
        otherVersion[0] = 2
        #expect(PingRollup(encoded: otherVersion) == nil)
        // More replies than pings sent: the minute's 60 sent (one varint byte) made 10.
        var fewerSent = bytes
        fewerSent[1] = 10
        #expect(PingRollup(encoded: fewerSent) == nil)
        #expect(PingRollup.sent(encoded: fewerSent) == nil && PingRollup.sent(encoded: otherVersion) == nil)
        #expect(PingRollup.sent(encoded: []) == nil && PingRollup.sent(encoded: [1, 0x80]) == nil)
        // A bucket's count changed: the buckets no longer add up to the replies.
        var recounted = bytes
        recounted[recounted.count - 1] &+= 1
        #expect(PingRollup(encoded: recounted) == nil)
    }

    @Test func aMinuteOfPingsTakesAboutAHundredBytes() {
        let sizes = (0..<50 as Range<UInt64>).map { minute(seed: $0).encoded.count }
        #expect(sizes.max()! <= 120, "\(sizes)")
    }

    /// A host pinged every second for a day: RTTs log-normal around `median` ms (σ of the log `spread`), 1 % of them
    /// spikes of 30–300 ms, 0.5 % lost. Its minutes, hours (merged minutes) and the day (merged hours).
    func day(seed: UInt64, median: Double, spread: Double) -> (minutes: [PingRollup], hours: [PingRollup], day: PingRollup) {
        var random = RTTSketchTests.SplitMix(state: seed)
        var minutes: [PingRollup] = []
        for _ in 0..<1440 {
            var minute = PingRollup()
            for _ in 0..<60 {
                let u = Double.random(in: 0..<1, using: &random)
                if u < 0.005 { minute.loss(); continue }
                if u < 0.015 { minute.reply(Double.random(in: 30...300, using: &random)); continue }
                // Box-Muller: a standard normal from two uniforms.
                let a = Double.random(in: Double.ulpOfOne..<1, using: &random), b = Double.random(in: 0..<1, using: &random)
                minute.reply(median * exp(spread * (-2 * log(a)).squareRoot() * cos(2 * .pi * b)))
            }
            minutes.append(minute)
        }
        let hours = stride(from: 0, to: 1440, by: 60).map { start in
            minutes[start..<start + 60].reduce(into: PingRollup()) { $0.merge($1) }
        }
        return (minutes, hours, hours.reduce(into: PingRollup()) { $0.merge($1) })
    }

    /// What the README's bytes per host per year rest on: the encoded sizes of minute, hourly and daily rows of a
    /// wired host (20 ms ± 10 %) and a Wi-Fi one (5 ms ± 50 %). Printed as figures; bounded so a change of the
    /// encoding that makes them grow fails here.
    @Test func hourlyAndDailyRowsStaySmall() {
        for (name, median, spread, bounds) in [("wired", 20.0, 0.1, (100, 220, 450)), ("wifi", 5.0, 0.5, (160, 450, 850))] {
            let measured = day(seed: 42, median: median, spread: spread)
            let minute = measured.minutes.map(\.encoded.count), hour = measured.hours.map(\.encoded.count)
            let daily = measured.day.encoded.count
            let average = { (sizes: [Int]) in Double(sizes.reduce(0, +)) / Double(sizes.count) }
            print("figure: \(name) host, rollup bytes: minute \(minute.min()!)–\(minute.max()!) (mean \(Int(average(minute).rounded()))),"
                  + " hour \(hour.min()!)–\(hour.max()!) (mean \(Int(average(hour).rounded()))), day \(daily)")
            #expect(minute.max()! <= bounds.0 && hour.max()! <= bounds.1 && daily <= bounds.2,
                    "\(name): minute \(minute.max()!), hour \(hour.max()!), day \(daily)")
            #expect(measured.day.sent == 86_400)
        }
    }
}
