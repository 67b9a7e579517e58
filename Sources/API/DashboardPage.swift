// The dashboard served at `GET /`: Resources/dashboard.html, one self-contained page (inline CSS and JS, nothing
// external, works under the policy below), compiled into the binary. It polls `status` every 5 s while the tab is
// visible and each host's `incidents?limit=5` every 30 s (at once when its state changes; not for a host up with
// 100 % uptime over 30 days, which has none to list), and shows hosts by
// group, each indented under its parent, with a 24 h sparkline from one `status/history` every 5 minutes; a host's
// page (`#host=<domain>`) draws its `history` as a SmokePing-style chart, a 90-day uptime bar and its incidents.
// URLs are relative, so the page works behind a reverse proxy under a sub-path. Data is put in the page with textContent only: names, domains, groups and causes are never parsed as
// HTML. Tests/e2e/test_dashboard.py and test_dashboard_tree.py drive it.

enum DashboardPage {
    /// Sent with the page: nothing may load from anywhere else, whatever a host name or cause contains.
    static let contentSecurityPolicy = "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
    static let html: [UInt8] = PackageResources.dashboard_html
}
