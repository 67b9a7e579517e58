// The dashboard served at GET /: one self-contained page (HTML, CSS and JS, no external resources).
// Placeholder until the page lands.

enum DashboardPage {
    static let contentSecurityPolicy = "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:"
    static let html: [UInt8] = Array("<!doctype html><title>status</title><p>dashboard</p>".utf8)
}
