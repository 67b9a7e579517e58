// How many responses the server sent, by status code (for /metrics). Each event loop counts in a shard of its
// own (no lock, and no cache line bounced between the loops' cores); a snapshot adds the shards up.
import Synchronization

public final class HTTPResponseCounts: @unchecked Sendable {
    /// Per shard, one counter per status code 100–599; codes outside that range are not produced by the server.
    private let counters: UnsafeMutablePointer<Atomic<UInt64>>
    private let shards: Int
    private static let first = 100
    private static let count = 500

    /// `shards`: one per event loop; a loop with a higher index shares the last shard.
    public init(shards: Int = 16) {
        self.shards = max(1, shards)
        counters = .allocate(capacity: self.shards * Self.count)
        for index in 0..<self.shards * Self.count { (counters + index).initialize(to: Atomic(0)) }
    }

    deinit {
        counters.deinitialize(count: shards * Self.count)
        counters.deallocate()
    }

    func count(_ status: Int, shard: Int) {
        let index = status - Self.first
        guard index >= 0, index < Self.count else { return }
        counters[min(max(shard, 0), shards - 1) * Self.count + index].wrappingAdd(1, ordering: .relaxed)
    }

    /// Every code answered at least once, with its count over all shards, in code order.
    public func snapshot() -> [(code: Int, count: UInt64)] {
        (0..<Self.count).compactMap { index in
            var value: UInt64 = 0
            for shard in 0..<shards { value &+= counters[shard * Self.count + index].load(ordering: .relaxed) }
            return value > 0 ? (Self.first + index, value) : nil
        }
    }
}
