// How long an outage lasted, for people: "4.5s", "2m 3s", "1h 0m", "3d 4h" (the ntfy and Discord messages).

enum HumanDuration {
    /// The two largest units, rounded down: under 10 s with a tenth ("4.5s"), then whole seconds ("42s"),
    /// minutes and seconds ("2m 3s"), hours and minutes ("1h 0m"), days and hours ("3d 4h").
    static func text(seconds: Double) -> String {
        let value = seconds.isFinite ? min(max(seconds, 0), 1e12) : 0
        if value < 10 {
            let tenths = Int((value * 10).rounded(.down))
            return tenths % 10 == 0 ? "\(tenths / 10)s" : "\(tenths / 10).\(tenths % 10)s"
        }
        let total = Int(value.rounded(.down))
        switch total {
        case ..<60: return "\(total)s"
        case ..<3600: return "\(total / 60)m \(total % 60)s"
        case ..<86_400: return "\(total / 3600)h \(total % 3600 / 60)m"
        default: return "\(total / 86_400)d \(total % 86_400 / 3600)h"
        }
    }
}
