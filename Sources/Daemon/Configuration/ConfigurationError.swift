// The one error type of configuration: names the variable, the value and what is wrong with it.

package struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    package let variable: String
    package let value: String?
    package let reason: String

    package init(_ variable: String, _ value: String?, _ reason: String) {
        self.variable = variable
        self.value = value
        self.reason = reason
    }

    /// One line for stderr, e.g. `MONITORING_INTERVAL="abc": not a duration (use 30, 2.5, 500ms, 10s or 1m)`.
    package var description: String {
        guard let value else { return "\(variable): \(reason)" }
        return "\(variable)=\"\(value)\": \(reason)"
    }
}
