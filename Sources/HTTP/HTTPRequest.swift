// A parsed HTTP/1.x request head, as the parser hands it to the handler.

/// One request. `target` is the raw request-target; `path` is its path part, still percent-encoded;
/// `query` is what follows "?", if anything.
package struct HTTPRequest: Sendable {
    package var method: String
    package var target: String
    package var path: String
    package var query: String?
    package var versionMajor: Int
    package var versionMinor: Int
    /// Header fields in arrival order; names as sent (compare case-insensitively), values trimmed.
    package var headers: [(name: String, value: String)]

    package init(method: String, target: String, path: String, query: String?, versionMajor: Int, versionMinor: Int,
                headers: [(name: String, value: String)]) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.versionMajor = versionMajor
        self.versionMinor = versionMinor
        self.headers = headers
    }

    /// The first value of a header, matched case-insensitively.
    package func header(_ name: String) -> String? {
        headers.first { HTTPRequest.sameFieldName($0.name, name) }?.value
    }

    /// ASCII case-insensitive comparison of field names, without allocating.
    static func sameFieldName(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        for (x, y) in zip(a.utf8, b.utf8) where x != y {
            guard x | 0x20 == y | 0x20, (x | 0x20) >= 97, (x | 0x20) <= 122 else { return false }
        }
        return true
    }
}
