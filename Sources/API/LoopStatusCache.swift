// One event loop's handle on the shared /status views (StatusViews): the view it served last, checked against the
// board with an atomic load or two per request, and ETag matching for If-None-Match.
import Foundation

/// One event loop's reference to the current view. Not thread-safe: used only by the loop that owns it. Weak: once
/// `StatusViews` has a newer view, the older one goes as soon as the responses built from it are sent.
struct LoopStatusCache {
    private let views: StatusViews
    private weak var view: StatusView?

    init(views: StatusViews) {
        self.views = views
    }

    /// The view to serve at once: an atomic load or two while the board is unchanged; after a change, the shared
    /// view if it may be served (`StatusViews.servableNow`); nil when the request must wait for a build.
    mutating func servable() -> StatusView? {
        if let view, views.isCurrent(view) { return view }
        guard let newer = views.servableNow() else { return nil }
        view = newer
        return newer
    }

    /// The view to serve, waiting for a build if there is none to serve at once (tests; the handler waits on the
    /// builder's thread instead, with `StatusViews.whenCurrent`).
    mutating func current() -> StatusView {
        if let view = servable() { return view }
        let built = views.served(views.current())
        view = built
        return built
    }

    /// True when an If-None-Match header lists `etag` (weak comparison, as RFC 9110 §13.1.2 asks) or is "*".
    static func matches(_ ifNoneMatch: String?, _ etag: String) -> Bool {
        guard let ifNoneMatch else { return false }
        for candidate in ifNoneMatch.split(separator: ",") {
            var tag = candidate.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            if tag == etag { return true }
        }
        return false
    }
}
