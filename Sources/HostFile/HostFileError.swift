// The host file's one error: the file, the line and what is wrong, as one line for stderr and the log
// ("hosts.txt:12: unknown attribute \"colour\" (known: name, group, parent, …)"). Line 0: the file as a whole.

package struct HostFileError: Error, CustomStringConvertible, Equatable, Sendable {
    package let path: String
    package let line: Int
    package let reason: String

    package init(path: String, line: Int, _ reason: String) {
        self.path = path
        self.line = line
        self.reason = reason
    }

    package var description: String {
        line > 0 ? "\(path):\(line): \(reason)" : "\(path): \(reason)"
    }
}
