// GET /status/service/{domain}/badge.svg: a shields-style badge ("nas.lan | up 99.98%") to put in a README or a
// wiki page. Green while up, red while down, grey while unreachable and before the first ping, blue in maintenance.
import Monitor

package enum Badge {
    package static let contentType = "image/svg+xml; charset=utf-8"

    package static func svg(for view: CheckView) -> [UInt8] {
        let host = view.host
        let label = host.domain
        let state: String
        let color: String
        switch host.lastPerformed == nil ? .pending : host.reportedState {
        case .pending:
            state = "pending"
            color = "#9f9f9f"
        case .maintenance:
            state = "maintenance"
            color = "#007ec6"
        case .unreachable:
            state = "unreachable"
            color = "#9f9f9f"
        case .down:
            state = "down"
            color = "#e05d44"
        case .up:
            state = "up"
            color = "#4c1"
        }
        let value = view.figures.uptime24h.map { "\(state) \(percent($0))" } ?? state
        let labelWidth = width(of: label)
        let valueWidth = width(of: value)
        let total = labelWidth + valueWidth
        let title = escape("\(label): \(value)" + (view.figures.uptime24h == nil ? "" : " over 24 h"))
        let svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(total)" height="20" role="img" aria-label="\(title)">\
        <title>\(title)</title>\
        <linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>\
        <clipPath id="r"><rect width="\(total)" height="20" rx="3" fill="#fff"/></clipPath>\
        <g clip-path="url(#r)"><rect width="\(labelWidth)" height="20" fill="#555"/>\
        <rect x="\(labelWidth)" width="\(valueWidth)" height="20" fill="\(color)"/>\
        <rect width="\(total)" height="20" fill="url(#s)"/></g>\
        <g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">\
        <text x="\(labelWidth / 2)" y="14">\(escape(label))</text>\
        <text x="\(labelWidth + valueWidth / 2)" y="14">\(escape(value))</text></g></svg>
        """
        return Array(svg.utf8)
    }

    /// "99.98%", "100%": two decimals at most, trailing zeros dropped.
    static func percent(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded(.down))
        let whole = hundredths / 100
        let fraction = hundredths % 100
        if fraction == 0 { return "\(whole)%" }
        return fraction % 10 == 0 ? "\(whole).\(fraction / 10)%" : "\(whole).\(fraction < 10 ? "0" : "")\(fraction)%"
    }

    /// An estimate of the text's width in Verdana 11 px, plus padding.
    private static func width(of text: String) -> Int {
        var width = 0.0
        for scalar in text.unicodeScalars {
            switch scalar {
            case "i", "l", "j", ".", ":", "|", "!", "'", ",": width += 3.5
            case "m", "w", "M", "W", "%": width += 10
            default: width += scalar.isASCII ? 7 : 11
            }
        }
        return Int(width.rounded(.up)) + 10
    }

    /// Text for XML: &, <, >, and both quotes escaped.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
