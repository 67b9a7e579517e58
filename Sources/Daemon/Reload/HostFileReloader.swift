// Live reload of the host file, on its own queue (reading and parsing never run on the ping queue or an event
// loop): on SIGHUP and when the file changes (HostFileWatcher), the file is read and validated as a whole; a
// valid one is applied by the monitor as a diff (MonitorCore+Reload), an invalid one changes nothing and is
// logged as `config_rejected` with its line and reason. /healthz shows the outcome (ConfigStatus).
import API
import Dispatch
import Foundation
import HostFile
import Logging
import Monitor
import Synchronization

final class HostFileReloader: Sendable {
    /// What set off a reload, for the log.
    enum Trigger: String, Sendable {
        case signal = "SIGHUP"
        case file = "file_changed"
    }

    private let configuration: Configuration
    private let monitor: Monitor
    private let logger: Logger
    private let queue = DispatchQueue(label: "status.reload")
    private let state: Mutex<State>
    /// Changes seen by the watcher come in bursts (an editor's write, rename, chmod): one reload per burst.
    private static let settleNanoseconds = 100_000_000

    private struct State {
        var status: ConfigStatus
        /// The text last read, applied or not (a change event that leaves it as it was does nothing).
        var lastText: String?
        /// A reload is queued, for this reason (a SIGHUP outranks a change event: it reloads even an unchanged file).
        var queued: Trigger?
    }

    init(configuration: Configuration, monitor: Monitor, started: Date, initialText: String?, logger: Logger) {
        self.configuration = configuration
        self.monitor = monitor
        self.logger = logger
        state = Mutex(State(status: ConfigStatus(file: configuration.hostsFile, loadedAt: started), lastText: initialText))
    }

    /// For /healthz.
    var status: ConfigStatus { state.withLock { $0.status } }

    /// Reloads soon, on the reload queue (a burst of requests makes one reload).
    func request(_ trigger: Trigger) {
        let alreadyQueued = state.withLock { state -> Bool in
            defer { if state.queued != .signal { state.queued = trigger } }
            return state.queued != nil
        }
        guard !alreadyQueued else { return }
        let delay = trigger == .file ? Self.settleNanoseconds : 0
        queue.asyncAfter(deadline: .now() + .nanoseconds(delay)) { [self] in reload() }
    }

    /// Reads the file, and applies it or rejects it. On the reload queue.
    private func reload() {
        let trigger = state.withLock { state -> Trigger in
            defer { state.queued = nil }
            return state.queued ?? .signal
        }
        guard let path = configuration.hostsFile else {
            logger.info("config_reload_skipped", ["trigger": trigger.rawValue, "reason": "no MONITORING_HOSTS_FILE"])
            return
        }
        let started = Date()
        let text: String
        do {
            text = try HostFile.read(path: path)
        } catch {
            return reject(error, trigger, started)
        }
        let unchanged = state.withLock { state -> Bool in
            defer { state.lastText = text }
            return state.lastText == text
        }
        if unchanged, trigger == .file { return }
        let hosts: [HostSpec]
        do {
            hosts = try configuration.hosts(withFile: text)
        } catch {
            return reject(error, trigger, started)
        }
        let summary = monitor.reload(hosts)
        let done = Date()
        state.withLock { state in
            state.status.loadedAt = done
            state.status.lastReload = ConfigStatus.Reload(at: done, applied: true, error: nil)
        }
        logger.info("config_reloaded", ["file": path, "trigger": trigger.rawValue, "hosts": summary.watched,
                                        "added": summary.added, "removed": summary.removed, "changed": summary.changed,
                                        "ms": Int(done.timeIntervalSince(started) * 1000)])
    }

    private func reject(_ error: HostFileError, _ trigger: Trigger, _ at: Date) {
        state.withLock { $0.status.lastReload = ConfigStatus.Reload(at: at, applied: false, error: error.description) }
        logger.error("config_rejected", ["file": error.path, "line": error.line, "reason": error.reason,
                                         "trigger": trigger.rawValue, "keeping": "the running hosts"])
    }
}
