// How other threads reach an event loop: responses that handlers finish elsewhere (after a database read) and the
// shutdown request go into a locked inbox, and an eventfd wakes the loop. A response given on the loop's own
// thread (most are) does not wake it: the loop empties the inbox right after each handler call.
import Glibc
import Platform
import Synchronization

final class LoopMailbox: Sendable {
    struct Delivery {
        var token: UInt64
        var sequence: UInt64
        var response: HTTPResponse
    }

    private struct Inbox {
        var deliveries: [Delivery] = []
        var shutdownGracePeriod: Double?
    }

    let wake: EventFD
    private let inbox = Mutex(Inbox())
    /// Set after something is put in the inbox, so an empty inbox is seen without taking the lock.
    private let filled = Atomic<Bool>(false)
    /// The loop's thread (pthread_t), once it runs; 0 before.
    private let loopThread = Atomic<UInt>(0)

    init() throws {
        wake = try EventFD()
    }

    /// Called by the loop's thread when it starts.
    func bindToCurrentThread() {
        loopThread.store(UInt(pthread_self()), ordering: .releasing)
    }

    /// Hands a response over from any thread.
    func deliver(_ delivery: Delivery) {
        inbox.withLock { $0.deliveries.append(delivery) }
        filled.store(true, ordering: .releasing)
        if loopThread.load(ordering: .acquiring) != UInt(pthread_self()) { wake.signal() }
    }

    /// Asks the loop to stop accepting and close within `gracePeriod` seconds.
    func requestShutdown(gracePeriod: Double) {
        inbox.withLock { $0.shutdownGracePeriod = gracePeriod }
        filled.store(true, ordering: .releasing)
        wake.signal()
    }

    /// Swaps what arrived since the last call into `deliveries` (which the loop hands in empty, keeping its
    /// capacity, so a steady stream of responses allocates nothing); returns a shutdown request if one came.
    /// False when nothing arrived.
    func takeAll(into deliveries: inout [Delivery]) -> (arrived: Bool, shutdownGracePeriod: Double?) {
        guard filled.exchange(false, ordering: .acquiringAndReleasing) else { return (false, nil) }
        return inbox.withLock { inbox in
            swap(&inbox.deliveries, &deliveries)
            defer { inbox.shutdownGracePeriod = nil }
            return (true, inbox.shutdownGracePeriod)
        }
    }
}
