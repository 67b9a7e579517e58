// Why the daemon could not start, in one line for stderr, and the exit code: 2 when a variable's value is the
// cause (named as configuration errors name it), 1 when the machine is (no ICMP socket could be opened at all).
import Glibc
import Platform

package struct StartupError: Error, CustomStringConvertible {
    package let description: String
    package let exitCode: Int32

    init(_ error: ConfigurationError) {
        description = error.description
        exitCode = 2
    }

    init(_ description: String, exitCode: Int32) {
        self.description = description
        self.exitCode = exitCode
    }
}

extension StartupError {
    /// Writes `status: <reason>` on stderr and exits with `code`.
    package static func exit(_ reason: Any, code: Int32) -> Never {
        StandardError.writeLine("status: \(reason)")
        Glibc.exit(code)
    }
}
