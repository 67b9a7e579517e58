// Where log lines wait to be written: a bounded buffer in memory and one thread (`status-log`) that writes it to
// a file descriptor (stdout). Appending never blocks; when the buffer is full the line is dropped and counted, and
// once the writer has caught up it says how many were lost (`event=log_dropped count=N`).
import Dispatch
import Encoding
import Foundation
import Platform
import Synchronization

package final class LogWriter: Sendable {
    private struct State {
        var pending: [UInt8] = []
        var dropped: UInt64 = 0
        /// Dropped since the last `log_dropped` line.
        var unreported: UInt64 = 0
        var writerWaiting = false
        var writing = false
        var started = false
    }

    /// The process's stdout writer, started by the first line.
    package static let standardOutput = LogWriter(descriptor: STDOUT_FILENO, capacityBytes: 1 << 20)

    private let descriptor: Int32
    private let capacityBytes: Int
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)

    /// Writes to `descriptor` (not owned: it is never closed); at most `capacityBytes` wait in memory.
    package init(descriptor: Int32, capacityBytes: Int) {
        self.descriptor = descriptor
        self.capacityBytes = max(capacityBytes, 256)
    }

    /// Queues one line (a newline is added); drops it when the buffer is full. Never blocks on the descriptor.
    package func append(_ line: String) {
        let (startThread, signal) = state.withLock { state -> (Bool, Bool) in
            let size = line.utf8.count + 1
            guard state.pending.count + size <= capacityBytes else {
                state.dropped += 1
                state.unreported += 1
                return (false, false)
            }
            state.pending.append(contentsOf: line.utf8)
            state.pending.append(10)
            let start = !state.started
            state.started = true
            let signal = state.writerWaiting
            state.writerWaiting = false
            return (start, signal)
        }
        if startThread { Threads.start(name: "status-log") { [self] in run() } }
        if signal { wake.signal() }
    }

    /// Lines dropped since start.
    package var droppedLines: UInt64 { state.withLock { $0.dropped } }

    /// Waits up to `timeout` seconds until every queued line is written; false if some still wait.
    package func flush(timeout: Double) -> Bool {
        MonotonicInstant.after(seconds: timeout).wait(pollMilliseconds: 5) {
            state.withLock { $0.pending.isEmpty && !$0.writing }
        }
    }

    private enum Step { case wait, report(UInt64), write }

    private func run() {
        var batch: [UInt8] = []
        while true {
            let step: Step = state.withLock { state in
                guard state.pending.isEmpty else {
                    swap(&batch, &state.pending)
                    state.writing = true
                    return .write
                }
                // Caught up: say what was lost, once, before waiting again.
                guard state.unreported == 0 else {
                    defer { state.unreported = 0 }
                    state.writing = true
                    return .report(state.unreported)
                }
                state.writing = false
                state.writerWaiting = true
                return .wait
            }
            switch step {
            case .wait:
                wake.wait()
                continue
            case .report(let lost):
                batch = Array((LogLine.format(level: "warn", event: "log_dropped", fields: ["count": lost]) + "\n").utf8)
            case .write:
                break
            }
            // A line that cannot be written (stdout closed) is dropped: logging must never stop the daemon.
            try? Files.write(descriptor: descriptor, batch, label: "log output")
            batch.removeAll(keepingCapacity: batch.capacity <= 1 << 16)
        }
    }
}
