// A network namespace a test creates for itself (lo up, nothing else), entered by one thread for as long as it
// opens sockets there: a socket stays in the namespace it was opened in, whichever thread uses it later.
// Deleted when the test is done.
import Foundation
import Platform

package final class TestNetworkNamespace {
    package let name = "stu" + String(UInt32.random(in: 0...UInt32.max), radix: 16)

    /// `echoIgnored`: the kernel does not answer pings inside (net.ipv4.icmp_echo_ignore_all), so a test
    /// decides when and how each echo is answered.
    package init(echoIgnored: Bool) throws {
        try Self.run("ip", "netns", "add", name)
        do {
            try Self.run("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up")
            if echoIgnored {
                try Self.run("ip", "netns", "exec", name, "sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=1")
            }
        } catch {
            try? Self.run("ip", "netns", "del", name)
            throw error
        }
    }

    deinit { try? Self.run("ip", "netns", "del", name) }

    /// Runs `body` on this thread inside the namespace, then returns the thread to the namespace it was in.
    package func inside<T>(_ body: () throws -> T) throws -> T {
        try NetworkNamespace.inside(name, body)
    }

    package struct NamespaceError: Error, CustomStringConvertible {
        package var description: String
        package init(_ description: String) { self.description = description }
    }

    package static func run(_ arguments: String...) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw NamespaceError("\(arguments.joined(separator: " ")) failed: \(text)")
        }
    }
}
