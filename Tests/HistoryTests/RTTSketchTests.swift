// The RTT sketch and rollups against exact answers: every quantile of random and adversarial RTT sets within
// the stated relative error of the exact order statistic, merging equal to counting everything at once, and
// downsampling (merging many steps) exact for counts, minimum and maximum.
import Foundation
import Testing
@testable import History

@Suite struct RTTSketchTests {
    /// A seeded generator, so a failure can be replayed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// The ⌈q·n⌉-th smallest (the smallest for q = 0): the rank the sketch answers for.
    func exact(_ sorted: [Double], _ q: Double) -> Double {
        sorted[max(1, Int((q * Double(sorted.count)).rounded(.up))) - 1]
    }

    func checkEveryQuantile(_ values: [Double], _ label: String) {
        var sketch = RTTSketch()
        for value in values { sketch.add(value) }
        let sorted = values.sorted()
        #expect(sketch.count == UInt64(values.count))
        for step in 0...200 {
            let q = Double(step) / 200
            let truth = exact(sorted, q)
            guard let estimate = sketch.quantile(q) else { Issue.record("\(label): no answer"); return }
            let error = abs(estimate - truth) / truth
            #expect(error <= RTTSketch.relativeError * (1 + 1e-9), "\(label): q=\(q) exact \(truth) got \(estimate)")
        }
    }

    @Test func randomSetsAreWithinTheBound() {
        var random = SplitMix(state: 14)
        let uniform = (0..<5000).map { _ in Double.random(in: 0.05...80, using: &random) }
        checkEveryQuantile(uniform, "uniform")
        // Log-normal around 20 ms, as a Wi-Fi hop looks.
        let lognormal = (0..<5000).map { _ -> Double in
            let u = Double.random(in: Double.ulpOfOne...1, using: &random), v = Double.random(in: 0...1, using: &random)
            return exp(log(20) + 0.6 * (-2 * log(u)).squareRoot() * cos(2 * .pi * v))
        }
        checkEveryQuantile(lognormal, "lognormal")
        // Two modes far apart: a LAN host behind a link that sometimes goes over a 300 ms path.
        let bimodal = (0..<3000).map { index in index % 7 == 0 ? Double.random(in: 280...320, using: &random)
                                                                 : Double.random(in: 0.2...0.6, using: &random) }
        checkEveryQuantile(bimodal, "bimodal")
    }

    @Test func adversarialSetsAreWithinTheBound() {
        checkEveryQuantile([20], "one ping")
        checkEveryQuantile(Array(repeating: 0.042, count: 1000), "all equal")
        // Exactly on bucket boundaries, and just either side of them.
        let boundaries = (-300...300).map { pow(RTTSketch.gamma, Double($0)) }.filter { $0 >= RTTSketch.lowest }
        checkEveryQuantile(boundaries, "boundaries")
        checkEveryQuantile(boundaries.map { $0.nextUp } + boundaries.map { $0.nextDown }, "beside boundaries")
        // Nine decades, from 1 µs to a 1000 s timeout's worth... up to the bound's ceiling.
        checkEveryQuantile((0...90).map { 0.001 * pow(10, Double($0) / 10) }.filter { $0 <= RTTSketch.highest },
                           "nine decades")
        checkEveryQuantile([0.001, 600_000], "the two ends")
    }

    @Test func anEmptySketchHasNoQuantile() {
        #expect(RTTSketch().quantile(0.5) == nil)
        #expect(PingRollup().quantile(0.5) == nil && PingRollup().mean == nil && PingRollup().lossPercent == nil)
    }

    func rollup(_ pings: [Double?]) -> PingRollup {
        var rollup = PingRollup()
        for ping in pings { if let rtt = ping { rollup.reply(rtt) } else { rollup.loss() } }
        return rollup
    }

    @Test func mergingTwoRollupsEqualsTheRollupOfAllTheirPings() {
        var random = SplitMix(state: 15)
        for _ in 0..<200 {
            let pings = (0..<Int.random(in: 0...120, using: &random)).map { _ -> Double? in
                Double.random(in: 0...1, using: &random) < 0.1 ? nil : Double.random(in: 0.1...250, using: &random)
            }
            let cut = Int.random(in: 0...pings.count, using: &random)
            var merged = rollup(Array(pings[..<cut]))
            merged.merge(rollup(Array(pings[cut...])))
            let whole = rollup(pings)
            #expect(merged.sent == whole.sent && merged.replies == whole.replies)
            #expect(merged.minimum == whole.minimum && merged.maximum == whole.maximum)
            #expect(merged.sketch == whole.sketch, "bucket by bucket")
            #expect(abs(merged.sum - whole.sum) <= 1e-9 * max(1, whole.sum))
            #expect(abs(merged.sumOfSquares - whole.sumOfSquares) <= 1e-9 * max(1, whole.sumOfSquares))
        }
    }

    @Test func downsamplingKeepsCountsAndExtremesExact() {
        // An hour of one-minute rollups at one ping a second, merged into the hour; and the hour from halves.
        var random = SplitMix(state: 16)
        var minutes: [PingRollup] = []
        var all: [Double?] = []
        for _ in 0..<60 {
            let pings = (0..<60).map { _ -> Double? in
                Double.random(in: 0...1, using: &random) < 0.05 ? nil : Double.random(in: 1...40, using: &random)
            }
            all += pings
            minutes.append(rollup(pings))
        }
        var hour = PingRollup()
        for minute in minutes { hour.merge(minute) }
        let truth = rollup(all)
        #expect(hour.sent == 3600 && hour.replies == truth.replies)
        #expect(hour.minimum == all.compactMap { $0 }.min() && hour.maximum == all.compactMap { $0 }.max())
        #expect(hour.sketch == truth.sketch && hour.sketch.count == UInt64(truth.replies))
        var halves = minutes[..<30].reduce(into: PingRollup()) { $0.merge($1) }
        halves.merge(minutes[30...].reduce(into: PingRollup()) { $0.merge($1) })
        #expect(halves.sketch == hour.sketch && halves.sent == hour.sent && halves.minimum == hour.minimum)
        #expect(hour.lossPercent.map { abs($0 - 100 * Double(3600 - Int(truth.replies)) / 3600) < 1e-12 } == true)
    }

    @Test func meanAndJitterAreTheRepliesOwn() throws {
        let rollup = rollup([10, 20, nil, 30])
        #expect(rollup.mean == 20)
        let jitter = try #require(rollup.standardDeviation)
        #expect(abs(jitter - (200.0 / 3).squareRoot()) < 1e-12)
        #expect(rollup.lossPercent == 25)
    }
}
