// The host file (MONITORING_HOSTS_FILE): one host per line, its address then `key=value` attributes; blank
// lines and `#` comments are skipped. Validated as a whole: an unknown attribute, a bad value, an unknown
// parent, a parent cycle or a host listed twice is a HostFileError naming the line (for a cycle or a duplicate,
// the line where it is detected). Pure: the text in, the hosts or the first error out.
//
//   # address        attributes
//   router.lan       name="Router" group=core
//   switch.lan       name="Switch" group=core parent=router.lan
//   nas.lan          name="NAS" group=storage parent=switch.lan interval=10s failure_threshold=2
//   printer.lan      group=office parent=switch.lan maintenance="Sun 02:00-04:00"
import Encoding
import Foundation
import Monitor

package enum HostFile {
    /// What the attributes are checked against: the variables' interval and timeout (a host's timeout may not
    /// be longer than its interval), the zone maintenance windows are read in, and the hosts MONITORING_HOSTS
    /// already lists (by lookup key: a host in both is an error).
    package struct Context: Sendable {
        package var interval: ConfigDuration
        package var timeout: ConfigDuration
        package var timeZone: TimeZone
        package var otherHosts: Set<String>

        package init(interval: ConfigDuration, timeout: ConfigDuration, timeZone: TimeZone, otherHosts: Set<String> = []) {
            self.interval = interval
            self.timeout = timeout
            self.timeZone = timeZone
            self.otherHosts = otherHosts
        }
    }

    static let minimumInterval = ConfigDuration(nanoseconds: 10_000_000)
    static let maximumInterval = ConfigDuration(nanoseconds: 86_400_000_000_000)

    /// Reads and parses the file at `path`.
    package static func load(path: String, context: Context) throws(HostFileError) -> [HostSpec] {
        try parse(try read(path: path), path: path, context: context)
    }

    /// The text of the file at `path` (at start, and for each reload).
    package static func read(path: String) throws(HostFileError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw HostFileError(path: path, line: 0, "cannot be read: \(error.localizedDescription)")
        }
    }

    /// The hosts of `text`, in file order; `path` names the file in errors.
    package static func parse(_ text: String, path: String, context: Context) throws(HostFileError) -> [HostSpec] {
        var hosts: [HostSpec] = []
        var lines: [Int] = []
        var firstLine: [String: Int] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            func fail(_ reason: String) -> HostFileError { HostFileError(path: path, line: number, reason) }
            let words: [String]
            do {
                words = try HostFileLine.words(line)
            } catch {
                throw fail(error.reason)
            }
            guard let address = words.first else { continue }
            guard !address.contains("="), var host = HostSpec(address) else {
                throw fail("\"\(address)\" is not an IPv4 address, an IPv6 address or a DNS name")
            }
            if let first = firstLine[host.lookupKey] { throw fail("\(address) is listed twice (first on line \(first))") }
            if context.otherHosts.contains(host.lookupKey) { throw fail("\(address) is also in MONITORING_HOSTS") }
            do {
                host.attributes = try HostAttributeParser.attributes(Array(words.dropFirst()), context: context)
            } catch {
                throw fail(error.reason)
            }
            firstLine[host.lookupKey] = number
            hosts.append(host)
            lines.append(number)
        }
        try checkParents(hosts, lines: lines, path: path)
        return hosts
    }

    /// Every parent is a host of the file, and following parents never comes back to where it started.
    private static func checkParents(_ hosts: [HostSpec], lines: [Int], path: String) throws(HostFileError) {
        var positions: [String: Int] = [:]
        for (position, host) in hosts.enumerated() { positions[host.lookupKey] = position }
        for (position, host) in hosts.enumerated() {
            for parent in host.attributes.parents where positions[HostSpec.lookupKey(parent)] == nil {
                throw HostFileError(path: path, line: lines[position], "parent \"\(parent)\" is not a host of this file")
            }
        }
        guard let cycle = HostGraph(hosts).firstCycle(), let closing = cycle.last else { return }
        var names = (cycle + [cycle[0]]).map { hosts[$0].domain }
        if names.count > 8 { names = names.prefix(4) + ["… \(names.count - 7) more …"] + names.suffix(3) }
        let text = names.joined(separator: " → ")
        throw HostFileError(path: path, line: lines[closing], "parent cycle: \(text)")
    }
}
