// The host file's parser: every accepted form, and every error naming its line.
import Encoding
import Foundation
import Platform
import Testing
@testable import HostFile
@testable import Monitor

struct HostFileTests {
    let context = HostFile.Context(interval: ConfigDuration(nanoseconds: 30_000_000_000),
                                   timeout: ConfigDuration(nanoseconds: 1_000_000_000),
                                   timeZone: TimeZone(identifier: "UTC") ?? .current)

    func parse(_ text: String, otherHosts: Set<String> = []) throws(HostFileError) -> [HostSpec] {
        var context = self.context
        context.otherHosts = otherHosts
        return try HostFile.parse(text, path: "hosts.txt", context: context)
    }

    /// The error `text` gives, as its one line.
    func error(_ text: String, otherHosts: Set<String> = []) -> String? {
        do {
            _ = try parse(text, otherHosts: otherHosts)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func theIssuesExampleParses() throws {
        let hosts = try parse("""
            # address        attributes
            router.lan       name="Router" group=core
            switch.lan       name="Switch" group=core parent=router.lan
            nas.lan          name="NAS" group=storage parent=switch.lan interval=10s failure_threshold=2
            printer.lan      group=office parent=switch.lan maintenance="Sun 02:00-04:00"
            2001:db8::7      name="Lab box" parent=router.lan

            """)
        #expect(hosts.map(\.domain) == ["router.lan", "switch.lan", "nas.lan", "printer.lan", "2001:db8::7"])
        #expect(hosts.map(\.name) == ["Router", "Switch", "NAS", "printer.lan", "Lab box"])
        #expect(hosts.map(\.attributes.group) == ["core", "core", "storage", "office", nil])
        #expect(hosts[2].attributes.parents == ["switch.lan"])
        #expect(hosts[2].attributes.interval == ConfigDuration(nanoseconds: 10_000_000_000))
        #expect(hosts[2].attributes.failureThreshold == 2)
        #expect(hosts[3].attributes.maintenance.map(\.text) == ["Sun 02:00-04:00"])
        #expect(hosts[4].target == .address(try #require(SocketAddress(ipLiteral: "2001:db8::7"))))
    }

    @Test func commentsQuotesAndSeveralParents() throws {
        let hosts = try parse("""
            a.lan # the first
            b.lan name="B # not a comment" # a comment
            c.lan parent=a.lan parent=b.lan maintenance="daily 03:00-03:30" maintenance="Sat 23:00-01:00"
            d.lan name="say \\"hi\\""
            """)
        #expect(hosts.count == 4)
        #expect(hosts[1].name == "B # not a comment")
        #expect(hosts[2].attributes.parents == ["a.lan", "b.lan"])
        #expect(hosts[2].attributes.maintenance.count == 2)
        #expect(hosts[3].name == "say \"hi\"")
    }

    @Test func anEmptyFileHasNoHosts() throws {
        #expect(try parse("# nothing yet\n\n   \n").isEmpty)
    }

    @Test func everyErrorNamesItsLine() {
        let cases: [(String, String)] = [
            ("a.lan\nb.lan colour=red", "hosts.txt:2: unknown attribute \"colour\" (known: name, group, parent, interval, timeout, failure_threshold, recovery_threshold, maintenance)"),
            ("a.lan\n\n300.1.1.1", "hosts.txt:3: \"300.1.1.1\" is not an IPv4 address, an IPv6 address or a DNS name"),
            ("a.lan name=\"open", "hosts.txt:1: a double quote is not closed"),
            ("a.lan interval=fast", "hosts.txt:1: interval=\"fast\" must be a duration between 10ms and 24h (use 30, 2.5, 500ms, 10s or 1m)"),
            ("a.lan interval=1ms", "hosts.txt:1: interval=\"1ms\" must be a duration between 10ms and 24h (use 30, 2.5, 500ms, 10s or 1m)"),
            ("a.lan timeout=0", "hosts.txt:1: timeout=\"0\" must be a duration of more than 0 (use 1, 500ms or 2s)"),
            ("a.lan interval=1s timeout=2s", "hosts.txt:1: timeout=2s must not be longer than the host's interval (1s)"),
            ("a.lan failure_threshold=0", "hosts.txt:1: failure_threshold=\"0\" must be a whole number from 1 to 1000"),
            ("a.lan recovery_threshold=x", "hosts.txt:1: recovery_threshold=\"x\" must be a whole number from 1 to 1000"),
            ("a.lan name=", "hosts.txt:1: name must not be empty"),
            ("a.lan name=A name=B", "hosts.txt:1: name is given twice"),
            ("a.lan group", "hosts.txt:1: \"group\" is not key=value (one host per line; attributes look like name=\"NAS\")"),
            ("a.lan\nb.lan parent=c.lan", "hosts.txt:2: parent \"c.lan\" is not a host of this file"),
            ("a.lan parent=-bad-", "hosts.txt:1: parent=\"-bad-\" is not an IPv4 address, an IPv6 address or a DNS name"),
            ("a.lan maintenance=\"Sum 02:00-04:00\"", "hosts.txt:1: maintenance unknown day \"Sum\" (use Mon…Sun or daily)"),
            ("a.lan\nb.lan\n# c\na.lan", "hosts.txt:4: a.lan is listed twice (first on line 1)"),
            ("[::1]\n::1", "hosts.txt:2: ::1 is listed twice (first on line 1)"),
        ]
        for (text, expected) in cases {
            #expect(error(text) == expected, "\(text)")
        }
    }

    @Test func aHostAlsoInTheVariableIsAnError() {
        #expect(error("a.lan\nb.lan", otherHosts: ["b.lan"]) == "hosts.txt:2: b.lan is also in MONITORING_HOSTS")
    }

    @Test func cyclesAreFoundWhereTheyClose() {
        #expect(error("a.lan parent=a.lan") == "hosts.txt:1: parent cycle: a.lan → a.lan")
        #expect(error("a.lan parent=b.lan\nb.lan parent=a.lan") == "hosts.txt:2: parent cycle: a.lan → b.lan → a.lan")
        #expect(error("x.lan\na.lan parent=c.lan\nb.lan parent=a.lan\nc.lan parent=b.lan parent=x.lan")
                == "hosts.txt:3: parent cycle: a.lan → c.lan → b.lan → a.lan")
        // Several parents that meet again higher up are no cycle (a diamond).
        #expect(error("r.lan\na.lan parent=r.lan\nb.lan parent=r.lan\nc.lan parent=a.lan parent=b.lan") == nil)
    }

    @Test func aDeepChainParses() throws {
        var lines = ["h0.lan"]
        for index in 1..<5000 { lines.append("h\(index).lan parent=h\(index - 1).lan") }
        let hosts = try parse(lines.joined(separator: "\n"))
        #expect(hosts.count == 5000)
        #expect(HostGraph(hosts).descendants(of: 0).count == 4999)
        lines[0] = "h0.lan parent=h4999.lan"
        #expect(error(lines.joined(separator: "\n"))
                == "hosts.txt:2: parent cycle: h0.lan → h4999.lan → h4998.lan → h4997.lan → … 4994 more … → h2.lan → h1.lan → h0.lan")
    }

    @Test func anUnreadableFileSaysSo() {
        do {
            _ = try HostFile.load(path: "/nonexistent/hosts.txt", context: context)
            Issue.record("no error")
        } catch {
            #expect(error.description.hasPrefix("/nonexistent/hosts.txt: cannot be read"))
        }
    }
}
