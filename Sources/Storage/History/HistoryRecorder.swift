// Where the monitor's pings enter the history: each ping's place and RTT, 8 bytes, appended to a buffer for the
// step its echo was sent in. Called on the ping queue for every ping, so it only appends under a lock; the first
// ping after the buffers were taken tells the history writer, which takes them a tick later (a quarter of a
// second) and writes them to the spool on its own queue: no pings, no wake-ups.
import Foundation
import History
import Synchronization

package final class HistoryRecorder: Sendable {
    /// Step length in seconds.
    package let resolution: Int64
    private let buffers = Mutex<[Int64: [UInt8]]>([:])
    /// Called (outside the lock) by the first record after a `take`.
    private let onFirst = Mutex<(@Sendable () -> Void)?>(nil)

    package init(resolution: Int64) {
        self.resolution = resolution
    }

    /// One ping of the host at `place`, sent at `sentAt`: answered after `rttMilliseconds`, or not (nil).
    package func record(place: Int, sentAt: Date, rttMilliseconds: Double?) {
        let step = HistoryQuery.floor(Int64(sentAt.timeIntervalSince1970.rounded(.down)), resolution)
        let first = buffers.withLock { buffers in
            let wasEmpty = buffers.isEmpty
            HistorySpool.record(place: place, rttMilliseconds: rttMilliseconds, into: &buffers[step, default: []])
            return wasEmpty
        }
        if first, let wake = onFirst.withLock({ $0 }) { wake() }
    }

    /// `wake` runs when a ping arrives in empty buffers (the writer's cue to take them soon).
    package func whenFirstRecorded(_ wake: @escaping @Sendable () -> Void) {
        onFirst.withLock { $0 = wake }
    }

    /// The pings recorded since the last call, by step start.
    package func take() -> [Int64: [UInt8]] {
        buffers.withLock { buffers in
            defer { buffers.removeAll(keepingCapacity: true) }
            return buffers
        }
    }
}
