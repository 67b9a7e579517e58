// Responses sent, by status code, for /metrics: one shard of atomic counters per event loop, so each loop counts
// on its own (no lock, and no cache line bounced between the loops' cores); a snapshot adds the shards up.
import Synchronization

package final class HTTPResponseCounts: Sendable {
    private static let first = 100
    private static let codes = 500

    /// One counter per status code 100–599; codes outside that range are not produced by the server.
    private final class Shard: Sendable {
        let counters: InlineArray<500, Atomic<UInt64>> = InlineArray { _ in Atomic(0) }
    }

    private let shards: [Shard]

    /// `shards`: one per event loop; a loop with a higher index shares the last shard.
    package init(shards: Int = 16) {
        self.shards = (0..<max(1, shards)).map { _ in Shard() }
    }

    func count(_ status: Int, shard: Int) {
        let index = status - Self.first
        guard index >= 0, index < Self.codes else { return }
        shards[min(max(shard, 0), shards.count - 1)].counters[index].wrappingAdd(1, ordering: .relaxed)
    }

    /// Every code answered at least once, with its count over all shards, in code order.
    package func snapshot() -> [(code: Int, count: UInt64)] {
        (0..<Self.codes).compactMap { index in
            var value: UInt64 = 0
            for shard in shards { value &+= shard.counters[index].load(ordering: .relaxed) }
            return value > 0 ? (Self.first + index, value) : nil
        }
    }
}
