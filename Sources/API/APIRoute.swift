// The API's routes: which endpoint a request path names, decoded from its percent-encoded segments.

package enum APIRoute: Equatable {
    case all
    case down
    case service(domain: String)
    case incidents(domain: String)
    case history(domain: String)
    /// Every host's history (GET /status/history).
    case allHistory
    /// The probes on this daemon's database (GET /status/probes).
    case probes
    case badge(domain: String)
    case health
    case metrics
    case openAPI
    case dashboard
    /// Browsers ask for it by themselves; a 204 keeps their consoles free of 404s.
    case favicon

    package enum Failure: Error, Equatable {
        case notFound
        case badPath(String)
    }

    /// Matches a raw (still percent-encoded) path. Each segment is decoded on its own, so "%2F" inside a domain
    /// stays part of that domain instead of splitting the path.
    package static func match(path: String) throws -> APIRoute {
        guard path.hasPrefix("/") else { throw Failure.notFound }
        if path == "/status" { return .all }  // what dashboards poll: no split
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        switch segments.count {
        case 1 where segments[0] == "":
            return .dashboard
        case 1 where segments[0] == "status":
            return .all
        case 1 where segments[0] == "healthz":
            return .health
        case 1 where segments[0] == "metrics":
            return .metrics
        case 1 where segments[0] == "openapi.json":
            return .openAPI
        case 1 where segments[0] == "favicon.ico":
            return .favicon
        case 2 where segments[0] == "status" && segments[1] == "down":
            return .down
        case 2 where segments[0] == "status" && segments[1] == "history":
            return .allHistory
        case 2 where segments[0] == "status" && segments[1] == "probes":
            return .probes
        case 3 where segments[0] == "status" && segments[1] == "service":
            return .service(domain: try decode(segments[2]))
        case 4 where segments[0] == "status" && segments[1] == "service" && segments[3] == "incidents":
            return .incidents(domain: try decode(segments[2]))
        case 4 where segments[0] == "status" && segments[1] == "service" && segments[3] == "history":
            return .history(domain: try decode(segments[2]))
        case 4 where segments[0] == "status" && segments[1] == "service" && segments[3] == "badge.svg":
            return .badge(domain: try decode(segments[2]))
        default:
            throw Failure.notFound
        }
    }

    private static func decode(_ segment: Substring) throws -> String {
        guard !segment.isEmpty else { throw Failure.notFound }
        do {
            return try PercentDecoding.decode(segment)
        } catch PercentDecodingError.encodedNUL {
            throw Failure.badPath("the path contains an encoded NUL byte")
        } catch PercentDecodingError.notUTF8 {
            throw Failure.badPath("the path is not valid UTF-8 once decoded")
        } catch {
            throw Failure.badPath("the path contains an invalid percent escape")
        }
    }
}
