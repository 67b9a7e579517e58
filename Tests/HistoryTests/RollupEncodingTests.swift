// Rollups to bytes and back: every field exactly as it was, bytes that are not a rollup (cut short anywhere,
// another version, counts that disagree) refused rather than misread, and the size of a typical minute.
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
        // A bucket's count changed: the buckets no longer add up to the replies.
        var recounted = bytes
        recounted[recounted.count - 1] &+= 1
        #expect(PingRollup(encoded: recounted) == nil)
    }

    @Test func aMinuteOfPingsTakesAboutAHundredBytes() {
        let sizes = (0..<50 as Range<UInt64>).map { minute(seed: $0).encoded.count }
        #expect(sizes.max()! <= 120, "\(sizes)")
    }
}
