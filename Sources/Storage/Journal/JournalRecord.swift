// One journal line: the CRC-32 of the JSON that follows it, in hex, a space, the JSON, a newline.
//   1c291ca3 {"seq":7,"kind":"opened","domain":"nas.lan","description":"no reply","at":1795986185123}
// Times are whole milliseconds since 1970, as the database keeps them.
import Encoding
import Foundation

enum JournalRecord {
    /// The line for `change`, newline included.
    static func encode(sequence: UInt64, _ change: StateChange) -> [UInt8] {
        var json = JSONBuffer(capacity: 160)
        json.raw("{\"seq\":")
        json.integer(Int64(clamping: sequence))
        switch change {
        case .performed(let domain, let at, let status), .flipped(let domain, let at, let status):
            json.raw(",\"kind\":\"flipped\",\"domain\":")
            json.string(domain)
            json.raw(",\"at\":")
            json.integer(at.unixMilliseconds)
            json.raw(",\"status\":")
            json.bool(status)
        case .opened(let domain, let description, let downDetection, let marks):
            json.raw(",\"kind\":\"opened\",\"domain\":")
            json.string(domain)
            json.raw(",\"description\":")
            json.string(description)
            json.raw(",\"at\":")
            json.integer(downDetection.unixMilliseconds)
            encode(marks, into: &json)
        case .classified(let domain, let description, let marks):
            json.raw(",\"kind\":\"classified\",\"domain\":")
            json.string(domain)
            json.raw(",\"description\":")
            json.string(description)
            encode(marks, into: &json)
        case .closed(let domain, let upDetection):
            json.raw(",\"kind\":\"closed\",\"domain\":")
            json.string(domain)
            json.raw(",\"at\":")
            json.integer(upDetection.unixMilliseconds)
        case .described(let domain, let description):
            json.raw(",\"kind\":\"described\",\"domain\":")
            json.string(domain)
            json.raw(",\"description\":")
            json.string(description)
        case .gap(let from, let until, let reason):
            json.raw(",\"kind\":\"gap\",\"from\":")
            json.integer(from.unixMilliseconds)
            json.raw(",\"until\":")
            json.integer(until.unixMilliseconds)
            json.raw(",\"reason\":")
            json.string(reason)
        }
        json.raw("}")
        let body = json.bytes
        var line = Array(hex8(CRC32.checksum(body)).utf8)
        line.append(UInt8(ascii: " "))
        line += body
        line.append(UInt8(ascii: "\n"))
        return line
    }

    enum DecodeError: Error, CustomStringConvertible, Equatable {
        case checksum, format(String)

        var description: String {
            switch self {
            case .checksum: return "checksum mismatch"
            case .format(let why): return why
            }
        }
    }

    /// Decodes one line (without its newline).
    static func decode(_ line: ArraySlice<UInt8>) throws -> (sequence: UInt64, change: StateChange) {
        guard line.count > 9, line[line.startIndex + 8] == UInt8(ascii: " "),
              let expected = UInt32(String(decoding: line.prefix(8), as: UTF8.self), radix: 16) else {
            throw DecodeError.format("no checksum")
        }
        let body = line.dropFirst(9)
        guard CRC32.checksum(body) == expected else { throw DecodeError.checksum }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw DecodeError.format("not a JSON object")
        }
        func number(_ key: String) throws -> Int64 {
            guard let value = object[key] as? NSNumber else { throw DecodeError.format("no \(key)") }
            return value.int64Value
        }
        func text(_ key: String) throws -> String {
            guard let value = object[key] as? String else { throw DecodeError.format("no \(key)") }
            return value
        }
        func time(_ key: String) throws -> Date {
            Date(unixMilliseconds: try number(key))
        }
        let sequence = UInt64(clamping: try number("seq"))
        switch try text("kind") {
        case "flipped":
            guard let status = object["status"] as? Bool else { throw DecodeError.format("no status") }
            return (sequence, .flipped(domain: try text("domain"), at: try time("at"), status: status))
        case "opened":
            return (sequence, .opened(domain: try text("domain"), description: try text("description"),
                                      downDetection: try time("at"), marks: marks(object)))
        case "classified":
            return (sequence, .classified(domain: try text("domain"), description: try text("description"),
                                          marks: marks(object)))
        case "closed":
            return (sequence, .closed(domain: try text("domain"), upDetection: try time("at")))
        case "described":
            return (sequence, .described(domain: try text("domain"), description: try text("description")))
        case "gap":
            return (sequence, .gap(from: try time("from"), until: try time("until"), reason: try text("reason")))
        case let other:
            throw DecodeError.format("unknown kind \(other)")
        }
    }

    /// Only what is set: a record of an earlier version, without marks, reads as no parent, no maintenance.
    private static func encode(_ marks: IncidentMarks, into json: inout JSONBuffer) {
        if let parent = marks.parentDomain, let since = marks.parentDownDetection {
            json.raw(",\"parent\":")
            json.string(parent)
            json.raw(",\"parent_at\":")
            json.integer(since.unixMilliseconds)
        }
        if marks.maintenance { json.raw(",\"maintenance\":true") }
    }

    private static func marks(_ object: [String: Any]) -> IncidentMarks {
        let since = (object["parent_at"] as? NSNumber).map { Date(unixMilliseconds: $0.int64Value) }
        return IncidentMarks(parentDomain: object["parent"] as? String, parentDownDetection: since,
                             maintenance: object["maintenance"] as? Bool ?? false)
    }

    private static func hex8(_ value: UInt32) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 8 - text.count) + text
    }
}
