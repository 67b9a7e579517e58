// The HTTP handler of every endpoint: the contract's four, /healthz, /metrics, /openapi.json, the badge and the
// dashboard page. Checks come from the monitor's StatusBoard through the loop's cached StatusView (no lock per
// request), incidents from the store (on the store's queue, never on the event loop). Each event loop has its
// own APIHandler, used on that loop's thread only.
import Foundation
import History
import HTTP
import Monitor
import Storage

package final class APIHandler: HTTPHandler {
    private let board: StatusBoard
    private let views: StatusViews
    private let writer: StoreWriter
    private let health: HealthReport?
    /// Hands the daemon's figures to its argument later, on a thread that is not an event loop.
    package typealias DaemonFiguresSource = @Sendable (@escaping @Sendable (DaemonFigures) -> Void) -> Void
    private let daemonFigures: DaemonFiguresSource?
    private let history: HistoryWriter?
    private let roster: ProbeRoster?
    /// This loop's copy of the current /status view.
    private var cache: LoopStatusCache

    /// One handler for one event loop; `views` is shared by all of them. Without `health` or `daemonFigures`,
    /// /healthz or /metrics is a 404.
    package init(views: StatusViews, writer: StoreWriter, health: HealthReport? = nil,
                daemonFigures: DaemonFiguresSource? = nil, history: HistoryWriter? = nil, roster: ProbeRoster? = nil) {
        self.history = history
        self.roster = roster
        self.board = views.board
        self.views = views
        self.writer = writer
        self.health = health
        self.daemonFigures = daemonFigures
        self.cache = LoopStatusCache(views: views)
    }

    /// A handler with views of its own (tests, or a server with one loop).
    package convenience init(board: StatusBoard, writer: StoreWriter) {
        self.init(views: StatusViews(board: board), writer: writer)
    }

    /// /status or /status/down from `view`: 304 when the client has it (whatever the query), else the body.
    private static func statusResponse(_ view: StatusView, down: Bool, group: Result<String?, IncidentQuery.Invalid>,
                                       ifNoneMatch: String?) -> HTTPResponse {
        if LoopStatusCache.matches(ifNoneMatch, view.etag) {
            return HTTPResponse(status: 304, headerLines: view.notModifiedHeaderLines)
        }
        switch group {
        case .success(let group):
            return HTTPResponse(status: 200, headerLines: view.okHeaderLines, body: view.body(down: down, group: group))
        case .failure(let invalid): return .error(400, invalid.reason)
        }
    }

    package func answer(_ request: HTTPRequest) -> HTTPAnswer {
        let route: APIRoute
        do {
            route = try APIRoute.match(path: request.path)
        } catch APIRoute.Failure.badPath(let reason) {
            return .now(.error(400, reason))
        } catch {
            return .now(.error(404, "no such endpoint: \(request.path)"))
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            return .now(.error(405, "method \(request.method) is not allowed; use GET or HEAD",
                               headers: [("Allow", "GET, HEAD")]))
        }
        switch route {
        case .health:
            guard let health else { return .now(.error(404, "no such endpoint: \(request.path)")) }
            let (status, body) = health.report()
            return .now(.json(status, body, headers: [(name: "Cache-Control", value: "no-store")]))
        case .all, .down:
            let group: Result<String?, IncidentQuery.Invalid>
            do {
                group = .success(try StatusQuery.group(request.query))
            } catch let invalid as IncidentQuery.Invalid {
                group = .failure(invalid)
            } catch {
                group = .failure(IncidentQuery.Invalid(reason: "bad query string"))
            }
            let ifNoneMatch = request.header("If-None-Match")
            let down = route == .down
            // At once when a view may be served; else from the builder's thread once it is built, so that a
            // 10,000-host body is never serialised on the event loop.
            if let view = cache.servable() {
                return .now(Self.statusResponse(view, down: down, group: group, ifNoneMatch: ifNoneMatch))
            }
            let views = self.views
            return .later { respond in
                views.whenCurrent { view in
                    respond(Self.statusResponse(view, down: down, group: group, ifNoneMatch: ifNoneMatch))
                }
            }
        case .service(let domain):
            guard let position = board.position(domain: domain) else { return .now(notMonitored(domain)) }
            return .now(.json(200, Payloads.one(views.check(at: position), Payloads.check)))
        case .incidents(let domain):
            guard let position = board.position(domain: domain) else { return .now(notMonitored(domain)) }
            let filter: IncidentFilter
            do {
                filter = try IncidentQuery.parse(request.query)
            } catch let invalid as IncidentQuery.Invalid {
                return .now(.error(400, invalid.reason))
            } catch {
                return .now(.error(400, "bad query string"))
            }
            let (writer, domain) = (self.writer, board.domain(at: position))
            return .later { respond in
                writer.incidents(domain: domain, filter: filter) { result in
                    switch result {
                    case .success(let incidents):
                        respond(.json(200, Payloads.array(incidents, sizeHint: 220, Payloads.incident(now: Date()))))
                    case .failure(let error):
                        respond(.error(503, "incidents are unavailable: \(error)"))
                    }
                }
            }
        case .history(let domain):
            guard let position = board.position(domain: domain) else { return .now(notMonitored(domain)) }
            guard let history else { return .now(.error(404, "no such endpoint: \(request.path)")) }
            let query: HistoryQuery
            do {
                query = try HistoryRequest.parse(request.query, ladder: history.settings.ladder, now: Date())
            } catch {
                return .now(.error(400, error.reason))
            }
            let domain = board.domain(at: position)
            return .later { respond in
                history.buckets(domains: [domain], query: query) { result in
                    switch result {
                    case .success(let rollups):
                        respond(.json(200, HistoryPayloads.buckets(rollups.first ?? [], query: query)))
                    case .failure(let error):
                        respond(.error(503, "history is unavailable: \(error)"))
                    }
                }
            }
        case .allHistory:
            guard let history else { return .now(.error(404, "no such endpoint: \(request.path)")) }
            let query: HistoryQuery
            let form: HistoryRequest.Form
            do {
                query = try HistoryRequest.parse(request.query, ladder: history.settings.ladder, now: Date(),
                                                 defaultStep: 3600)
                form = try HistoryRequest.form(request.query)
            } catch {
                return .now(.error(400, error.reason))
            }
            let domains = board.watchedDomains()
            return .later { respond in
                history.buckets(domains: domains, query: query) { result in
                    switch result {
                    case .success(let rollups):
                        respond(.json(200, form == .compact ? HistoryPayloads.compact(domains, rollups, query: query)
                                                            : HistoryPayloads.hosts(domains, rollups, query: query)))
                    case .failure(let error):
                        respond(.error(503, "history is unavailable: \(error)"))
                    }
                }
            }
        case .probes:
            guard let roster else { return .now(.error(404, "no such endpoint: \(request.path)")) }
            let reading = roster.current
            guard reading.at != nil else {
                return .now(.error(503, "the probes are not known yet: the database has not been reached"))
            }
            return .now(.json(200, Payloads.array(reading.probes, sizeHint: 160, Payloads.probe),
                              headers: [(name: "Cache-Control", value: "no-store")]))
        case .badge(let domain):
            guard let position = board.position(domain: domain) else { return .now(notMonitored(domain)) }
            return .now(HTTPResponse(status: 200, headers: [("Content-Type", Badge.contentType), ("Cache-Control", "no-cache")],
                                     body: Badge.svg(for: views.check(at: position))))
        case .metrics:
            guard let daemonFigures else { return .now(.error(404, "no such endpoint: \(request.path)")) }
            // Rendered where the figures arrive, off the event loop (every host is a few lines).
            let views = self.views
            return .later { respond in
                daemonFigures { figures in
                    respond(HTTPResponse(status: 200, headers: [("Content-Type", MetricsText.contentType), ("Cache-Control", "no-store")],
                                         body: MetricsText.render(checks: views.checks(), daemon: figures)))
                }
            }
        case .openAPI:
            return .now(.json(200, OpenAPIDocument.json))
        case .favicon:
            return .now(HTTPResponse(status: 204, headers: [("Cache-Control", "max-age=86400")]))
        case .dashboard:
            return .now(HTTPResponse(status: 200, headers: [("Content-Type", "text/html; charset=utf-8"),
                                                            ("Content-Security-Policy", DashboardPage.contentSecurityPolicy),
                                                            ("X-Content-Type-Options", "nosniff")],
                                     body: DashboardPage.html))
        }
    }

    private func notMonitored(_ domain: String) -> HTTPResponse {
        .error(404, "\(domain) is not monitored")
    }
}
