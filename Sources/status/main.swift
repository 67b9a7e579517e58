// The `status` daemon: read the configuration and the state directory, wire pinger → monitor → (store, API),
// serve at once (the database may come later), and shut down cleanly on SIGTERM or SIGINT (a second signal
// exits at once).
import Dispatch
import Foundation
import Glibc
import StatusCore

let configuration: Configuration
do {
    configuration = try Configuration.fromEnvironment(ProcessInfo.processInfo.environment)
} catch {
    fputs("status: \(error)\n", stderr)
    exit(2)
}

if CommandLine.arguments.dropFirst().first == "healthcheck" {
    exit(HealthProbe.run(listen: configuration.listen))
}

let logger = Logger(minimumLevel: configuration.logLevel)
if !MallocTuning.mapBuffersLargerThan(256 * 1024) { logger.warning("malloc_tuning_refused", ["option": "M_MMAP_THRESHOLD"]) }
signal(SIGPIPE, SIG_IGN)
signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)

let journal: Journal
do {
    journal = try Journal(directory: configuration.stateDirectory)
} catch {
    fputs("status: STATE_DIR=\(configuration.stateDirectory): \(error)\n", stderr)
    exit(2)
}
let started = Date()
for problem in journal.recovered.problems { logger.warning("journal_damaged", ["detail": problem]) }
if !journal.recovered.changes.isEmpty {
    logger.info("journal_replay", ["records": journal.recovered.changes.count])
}

let stopping = ManagedAtomicFlag()
var running: (monitor: Monitor, server: HTTPServer, pinger: Pinger, queue: DispatchQueue)?
/// A registration that came before the monitor existed; main queue only.
var earlyRegistration: StoreWriter.Registration?
let ledger = UptimeLedger(domains: configuration.hosts.map(\.domain), started: started)
let webhooks = configuration.webhooks.urls.isEmpty ? nil : WebhookNotifier(configuration: configuration.webhooks, logger: logger)
let writer = StoreWriter(store: MariaDBStore(configuration: configuration.database, logger: logger), journal: journal,
                         domains: configuration.hosts.map(\.domain), logger: logger) { registration in
    ledger.load(registration.history, ids: registration.ids)
    DispatchQueue.main.async {
        if let monitor = running?.monitor { monitor.adopt(registration) } else { earlyRegistration = registration }
    }
}
if let last = journal.recovered.lastAlive {
    let reason = last.stoppedCleanly ? "stopped" : "crashed"
    logger.info("monitor_gap", ["from": JSONText.time(last.at), "until": JSONText.time(started), "reason": reason])
    writer.submit(.gap(from: last.at, until: started, reason: reason))
    ledger.recordGap(MonitorGap(from: last.at, until: started, reason: reason))
}
for (domain, since) in journal.recovered.downSince {
    ledger.record(IncidentEvent(kind: .opened, domain: domain, checkID: journal.recovered.ids[domain] ?? 0, cause: "",
                                downDetection: since, upDetection: nil))
}

func shutDown(signalName: String) {
    if stopping.setIfUnset() == false {
        logger.warning("shutdown_forced", ["signal": signalName])
        exit(1)
    }
    logger.info("shutdown", ["signal": signalName])
    let parts = running  // read on the main queue, where start-up sets it
    DispatchQueue.global().async {
        parts?.server.shutdown(gracePeriod: 2)
        if let parts {
            parts.monitor.stop()
            logStatistics(parts.monitor, parts.pinger, parts.queue)
        }
        // Webhooks get the same two seconds as the database, side by side (the contract's bound is 5 s in all).
        let webhooksFlushed = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = webhooks?.flush(timeout: 2)
            webhooksFlushed.signal()
        }
        if !writer.flush(timeout: 2) {
            logger.warning("shutdown_unflushed", ["pending": writer.pendingCount, "journaled": writer.journalWaiting])
        }
        _ = webhooksFlushed.wait(timeout: .now() + 2.5)
        writer.markStopped()
        logger.info("stopped")
        exit(0)
    }
}

/// One line with the pinger's counters and the schedule's lateness since start, for operators and bench/pinger.
func logStatistics(_ monitor: Monitor, _ pinger: Pinger, _ queue: DispatchQueue) {
    let counters = queue.sync { pinger.totals }
    let figures = monitor.statistics()
    func milliseconds(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "none" }
    logger.info("pinger_stats", ["sent": counters.sent, "replies": counters.replies, "errors": counters.errors,
                                 "timeouts": counters.timeouts, "late": counters.late, "duplicates": counters.duplicates,
                                 "foreign": counters.foreign, "send_failures": counters.sendFailures,
                                 "ticks": figures.ticks, "lateness_p50_ms": milliseconds(figures.latenessP50Milliseconds),
                                 "lateness_p99_ms": milliseconds(figures.latenessP99Milliseconds),
                                 "down_transitions": figures.downTransitions])
}

let signalSources = [(SIGTERM, "TERM"), (SIGINT, "INT")].map { number, name in
    let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
    source.setEventHandler { shutDown(signalName: name) }
    source.resume()
    return source
}

DispatchQueue.main.async {
    logger.info("starting", ["hosts": configuration.hosts.count, "interval": configuration.interval,
                             "timeout": configuration.timeout, "listen": configuration.listen,
                             "state_dir": configuration.stateDirectory])
    let ids = journal.recovered.ids
    let downSince = journal.recovered.downSince
    let board = StatusBoard(hosts: configuration.hosts.map { spec in
        var host = HostStatus(check: Check(id: ids[spec.domain] ?? 0, domain: spec.domain, lastPerformed: nil, status: true),
                              isDown: downSince[spec.domain] != nil, lastRTTMilliseconds: nil)
        host.downSince = downSince[spec.domain]
        return host
    })
    let pingQueue = DispatchQueue(label: "status.ping", qos: .userInitiated)
    do {
        let pinger = try Pinger(queue: pingQueue, timeout: configuration.timeout.seconds,
                                hostCount: configuration.hosts.count, logger: logger)
        let monitor = Monitor(configuration: configuration, downSince: downSince, pinger: pinger,
                              resolver: Resolver(), writer: writer, board: board, queue: pingQueue, logger: logger,
                              onIncident: { event in
                                  ledger.record(event)
                                  webhooks?.notify(event)
                              })
        var common: [(name: String, value: String)] = []
        if let origin = configuration.corsAllowOrigin { common.append(("Access-Control-Allow-Origin", origin)) }
        let views = StatusViews(board: board, ledger: ledger)
        let health = HealthReport(monitor: monitor, writer: writer, interval: configuration.interval.seconds)
        var serverConfiguration = HTTPServerConfiguration(address: configuration.listen, commonHeaders: common)
        let responses = HTTPResponseCounts()
        serverConfiguration.responseCounts = responses
        // The pinger's own counters, read on its queue; the figures go on from there to a global queue.
        let daemonFigures: APIHandler.DaemonFiguresSource = { deliver in
            pingQueue.async {
                let pings = pinger.totals
                DispatchQueue.global().async {
                    deliver(DaemonFigures(pingsSent: UInt64(pings.sent), pingReplies: UInt64(pings.replies),
                                          databaseReachable: writer.databaseReachable, journalWaiting: writer.journalWaiting,
                                          pendingWrites: writer.pendingCount, responses: responses.snapshot(),
                                          startedAt: started))
                }
            }
        }
        let server = try HTTPServer(
            configuration: serverConfiguration, logger: logger,
            makeHandler: { APIHandler(views: views, writer: writer, health: health, daemonFigures: daemonFigures) })
        guard !stopping.isSet else { return }
        running = (monitor, server, pinger, pingQueue)
        if let registration = earlyRegistration {
            monitor.adopt(registration)
            earlyRegistration = nil
        }
        monitor.start()
        server.start()
        logger.info("serving", ["address": server.boundAddress])
    } catch {
        logger.error("startup_failed", ["reason": "\(error)"])
        fputs("status: \(error)\n", stderr)
        exit(1)
    }
}

withExtendedLifetime(signalSources) { dispatchMain() }
