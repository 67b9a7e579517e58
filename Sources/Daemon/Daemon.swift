// The daemon: builds every part from the configuration and the state directory, wires the monitor's events to
// their subscribers, hands the database's registration to the parts that wait for it, serves at once (the
// database may come later), and shuts down cleanly on SIGTERM or SIGINT (+Shutdown). main.swift only parses the
// configuration, builds a Daemon and runs it.
//
//   timer → pinger → monitor ─ events ─┬→ status board ──────────→ API (HTTP)
//                                      ├→ store writer → MariaDB ─┘ (incidents)
//                                      ├→ uptime ledger ──────────┤
//                                      ├→ history → spool → MariaDB ┘ (latency and loss)
//                                      └→ webhooks
//   status board ⇄ probe coordinator ⇄ MariaDB (probes, views, consensus incidents, outbox → webhooks)
import API
import History
import Dispatch
import Encoding
import Foundation
import Glibc
import HTTP
import ICMP
import Logging
import Monitor
import Platform
import Probes
import Storage
import Synchronization
import Uptime
import Webhooks

package final class Daemon {
    let configuration: Configuration
    let logger: Logger
    let started = Date()
    let writer: StoreWriter
    let board: StatusBoard
    let ledger: UptimeLedger
    let webhooks: WebhookNotifier?
    let history: HistoryWriter
    let roster = ProbeRoster()
    let coordinator: ProbeCoordinator
    let monitor: Monitor
    let server: HTTPServer
    let reloader: HostFileReloader
    let stopping = Atomic<Bool>(false)
    private var signalSources: [DispatchSourceSignal] = []
    private var watcher: HostFileWatcher?

    /// Opens the state directory, the ICMP sockets and the listening socket; throws what stops start-up.
    package init(configuration: Configuration) throws(StartupError) {
        self.configuration = configuration
        // Before the logger's thread and Dispatch's start: a thread keeps the arena it first allocated from.
        let mappedBuffers = MallocTuning.mapBuffersLargerThan(256 * 1024)
        let oneArena = MallocTuning.limitArenas(to: 1)
        let logger = Logger(minimumLevel: configuration.logLevel)
        self.logger = logger
        if !mappedBuffers { logger.warning("malloc_tuning_refused", ["option": "M_MMAP_THRESHOLD"]) }
        if !oneArena { logger.warning("malloc_tuning_refused", ["option": "M_ARENA_MAX"]) }
        for number in [SIGPIPE, SIGTERM, SIGINT, SIGHUP] { signal(number, SIG_IGN) }

        let journal: Journal
        do {
            journal = try Journal(directory: configuration.stateDirectory)
        } catch {
            throw Self.failed(StartupError(ConfigurationError("STATE_DIR", configuration.stateDirectory, "\(error)")), logger)
        }
        let recovery = Recovery(journal.recovered, started: started)
        for problem in recovery.damagedRecords { logger.warning("journal_damaged", ["detail": problem]) }
        if recovery.replayed > 0 { logger.info("journal_replay", ["records": recovery.replayed]) }

        let domains = configuration.hosts.map(\.domain)
        // STATE_DIR's writers share a thread: the journal's alive mark rides the history spool's wake-up after each
        // round instead of waking a thread of its own.
        // The store's writer and the probes' coordinator share a thread too: a lone probe's heartbeat rides the
        // store's batch of latest pings after each round (each keeps its own database connection).
        let files: ThreadQueue
        let database: ThreadQueue
        do {
            files = try ThreadQueue(name: "status-files")
            database = try ThreadQueue(name: "status-database")
        } catch {
            throw Self.failed(StartupError("the files' or the database's thread could not be started: \(error)",
                                           exitCode: 1), logger)
        }
        // The alive mark's period follows the interval (5 s to 30 s): a crash's gap is known to within a ping.
        do {
            writer = try StoreWriter(store: MariaDBStore(configuration: configuration.database, logger: logger),
                                     journal: journal, domains: domains, logger: logger,
                                     historyWindow: UptimeCalculation.longestWindow,
                                     alivePeriod: min(max(configuration.interval.seconds, 5), 30), journalQueue: files,
                                     queue: database)
        } catch {
            throw Self.failed(StartupError("the store's threads could not be started: \(error)", exitCode: 1), logger)
        }
        board = StatusBoard(hosts: recovery.hostStatuses(configuration.hosts))
        ledger = UptimeLedger(domains: domains, maintenance: configuration.hosts.map(UptimeFeed.maintenance(of:)),
                              started: started)
        do {
            var settings = HistorySettings(ladder: configuration.history, directory: configuration.stateDirectory + "/history",
                                           spoolLimit: Self.historySpoolLimit, grace: configuration.timeout.seconds + 1.5)
            settings.closeLeeway = configuration.interval.seconds
            history = try HistoryWriter(store: MariaDBHistoryStore(configuration: configuration.database),
                                        settings: settings, run: HistoryWriter.newRun(at: started), logger: logger,
                                        spoolQueue: files)
        } catch {
            throw Self.failed(StartupError(ConfigurationError("STATE_DIR", configuration.stateDirectory, "\(error)")), logger)
        }
        history.watch(configuration.hosts.enumerated().map { ($0.offset, $0.element.domain) })
        webhooks = configuration.webhooks.urls.isEmpty ? nil : WebhookNotifier(configuration: configuration.webhooks, logger: logger)
        if let gap = recovery.gap {
            logger.info("monitor_gap", ["from": JSONText.time(gap.from), "until": JSONText.time(gap.until), "reason": gap.reason])
            writer.submit(.gap(from: gap.from, until: gap.until, reason: gap.reason))
            ledger.recordGap(gap)
        }
        for (domain, since) in recovery.downSince { ledger.recordOpened(domain: domain, downDetection: since) }

        // The ping queue's blocks (its hosts' timers, the replies) run on the main thread, which `run` keeps in the
        // main run loop: one thread for the daemon's life. On a Dispatch worker instead, a daemon at a 30 s interval
        // got a new thread every round (libdispatch ends a worker idle for 5 s), created and ended each time.
        let pingQueue = DispatchQueue(label: "status.ping", qos: .userInitiated, target: .main)
        let pinger: Pinger
        do {
            pinger = try Pinger(queue: pingQueue, timeout: configuration.timeout.seconds,
                                hostCount: configuration.hosts.count, logger: logger)
        } catch {
            throw Self.failed(StartupError("no ICMP socket could be opened: \(error)", exitCode: 1), logger)
        }
        do {
            coordinator = try ProbeCoordinator(settings: configuration.probe, version: Self.version,
                                               interval: configuration.interval.seconds,
                                               database: configuration.database, board: board, roster: roster,
                                               notifier: webhooks, logger: logger,
                                               queue: database) { [ledger] domain, down, up in
                if let up {
                    ledger.recordClosed(domain: domain, upDetection: up)
                } else {
                    ledger.recordOpened(domain: domain, downDetection: down)
                }
            }
        } catch {
            throw Self.failed(StartupError("the probes' thread could not be started: \(error)", exitCode: 1), logger)
        }
        var observers: [any MonitorObserver] = [board, StoreFeed(writer, coordinator), UptimeFeed(ledger, coordinator),
                                                HistoryFeed(history)]
        if let webhooks { observers.append(WebhookFeed(webhooks, board: board, coordinator: coordinator)) }
        monitor = Monitor(settings: configuration.monitorSettings, downSince: recovery.downSince, pinger: pinger,
                          observers: observers, queue: pingQueue, logger: logger)
        reloader = HostFileReloader(configuration: configuration, monitor: monitor, started: started,
                                    initialText: configuration.hostsFileText, logger: logger)
        do {
            server = try Self.makeServer(configuration, board: board, ledger: ledger, writer: writer, history: history,
                                         roster: roster, monitor: monitor, reloader: reloader, started: started,
                                         logger: logger)
        } catch {
            let reason = ConfigurationError("LISTEN_ADDR", configuration.listen.description, "\(error)")
            throw Self.failed(StartupError(reason), logger)
        }
    }

    /// Starts every part and serves until a signal stops the daemon. Never returns.
    package func run() -> Never {
        logger.info("starting", ["hosts": configuration.hosts.count, "interval": configuration.interval,
                                 "timeout": configuration.timeout, "listen": configuration.listen,
                                 "state_dir": configuration.stateDirectory])
        writer.start { [board, ledger, monitor, history] registration in  // at start, and for a reload's new hosts
            board.setIDs(registration.ids)
            history.learn(ids: registration.ids)
            ledger.load(registration.history, ids: registration.ids)
            monitor.adopt(registration.ongoingWithoutPendingChanges.mapValues {
                OngoingIncident(id: $0.id, description: $0.description, downDetection: $0.downDetection,
                                unannounced: $0.parentIncidentID != nil, maintenance: $0.maintenance)
            })
        }
        history.start()
        monitor.start()
        coordinator.start()
        server.start()
        logger.info("serving", ["address": server.boundAddress])
        signalSources = [(SIGTERM, "TERM"), (SIGINT, "INT")].map { number, name in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
            source.setEventHandler { [self] in shutDown(signalName: name) }
            source.resume()
            return source
        }
        let hangUp = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .main)
        hangUp.setEventHandler { [reloader] in reloader.request(.signal) }
        hangUp.resume()
        signalSources.append(hangUp)
        if let path = configuration.hostsFile, configuration.watchHostsFile {
            do {
                watcher = try HostFileWatcher(path: path, reloader: reloader, logger: logger)
            } catch {
                logger.warning("config_watch_failed", ["file": path, "reason": "\(error)", "reload": "on SIGHUP only"])
            }
        }
        // The main queue, and so the ping queue, is drained here (see `pingQueue` in init). `run` returns only if
        // the run loop has nothing to wait for; then Dispatch's workers drain the main queue instead.
        RunLoop.main.run()
        logger.warning("main_run_loop_returned", ["fallback": "dispatch workers"])
        dispatchMain()
    }

    private static func makeServer(_ configuration: Configuration, board: StatusBoard, ledger: UptimeLedger,
                                   writer: StoreWriter, history: HistoryWriter, roster: ProbeRoster, monitor: Monitor,
                                   reloader: HostFileReloader, started: Date,
                                   logger: Logger) throws -> HTTPServer {
        var common: [(name: String, value: String)] = []
        if let origin = configuration.corsAllowOrigin { common.append(("Access-Control-Allow-Origin", origin)) }
        var serverConfiguration = HTTPServerConfiguration(address: configuration.listen, commonHeaders: common)
        let responses = HTTPResponseCounts()
        serverConfiguration.responseCounts = responses
        let views = StatusViews(board: board, ledger: ledger)
        let health = HealthReport(monitor: monitor, writer: writer, interval: configuration.interval.seconds,
                                  config: { reloader.status })
        // The pinger's counters are read on the ping queue; the rest, and the rendering, on a global queue.
        let figures: APIHandler.DaemonFiguresSource = { deliver in
            monitor.readPingerCounters { pings in
                DispatchQueue.global().async {
                    deliver(DaemonFigures(pingsSent: UInt64(pings.sent), pingReplies: UInt64(pings.replies),
                                          databaseReachable: writer.databaseReachable, journalWaiting: writer.journalWaiting,
                                          pendingWrites: writer.pendingCount, responses: responses.snapshot(),
                                          startedAt: started, logLinesDropped: logger.droppedLines,
                                          history: history.figures))
                }
            }
        }
        return try HTTPServer(configuration: serverConfiguration, logger: logger, makeHandler: {
            APIHandler(views: views, writer: writer, health: health, daemonFigures: figures, history: history, roster: roster)
        })
    }

    /// What the probes table says this daemon is.
    static let version = "1.0.0"

    /// Most bytes of closed history steps kept in STATE_DIR/history while the database is away (about 4 hours of
    /// 10,000 hosts at a 1-minute step, 40 of 1,000).
    static let historySpoolLimit = 256 << 20

    /// Logs why start-up failed and lets the line reach stdout before the caller exits.
    private static func failed(_ error: StartupError, _ logger: Logger) -> StartupError {
        logger.error("startup_failed", ["reason": error.description])
        logger.flush(timeout: 1)
        return error
    }
}
