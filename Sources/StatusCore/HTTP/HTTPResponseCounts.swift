// How many responses the server sent, by status code (for /metrics). Counted lock-free by every event loop.
import Synchronization

public final class HTTPResponseCounts: @unchecked Sendable {
    /// One counter per status code 100–599; codes outside that range are not produced by the server.
    private let counters: UnsafeMutablePointer<Atomic<UInt64>>
    private static let first = 100
    private static let count = 500

    public init() {
        counters = .allocate(capacity: Self.count)
        for index in 0..<Self.count { (counters + index).initialize(to: Atomic(0)) }
    }

    deinit {
        counters.deinitialize(count: Self.count)
        counters.deallocate()
    }

    func count(_ status: Int) {
        let index = status - Self.first
        guard index >= 0, index < Self.count else { return }
        counters[index].wrappingAdd(1, ordering: .relaxed)
    }

    /// Every code answered at least once, with its count, in code order.
    public func snapshot() -> [(code: Int, count: UInt64)] {
        (0..<Self.count).compactMap { index in
            let value = counters[index].load(ordering: .relaxed)
            return value > 0 ? (Self.first + index, value) : nil
        }
    }
}
