// The history's files in STATE_DIR/history: they hold every measured ping until its step's rows are in the
// database, so a restart, a crash or a database outage loses none and writes none twice.
//   <run>.hosts          the run's hosts' domains, one a line, in place order (appended when a reload adds hosts)
//   <run>-<start>.pings  one open step's pings: a 24-byte header (magic, resolution, step start), then 8 bytes a
//                        ping (place UInt32, RTT in ms Float32, NaN for no reply; little-endian), appended about
//                        every second; not fsynced: the daemon dying loses nothing the kernel has
//   <run>-<start>.rows   a closed step's rows (domain and encoded rollup each), written whole (rename, no
//                        fsync: a slow disk must not hold up the pings) when the database cannot take them at
//                        once; removed once the database has them
// Closing a step reads its .pings file into rows, which go to the database queue in memory; the .pings file stays
// until the database has them (or they are spilled into a .rows file, while it is away). A step whose rows reach
// the database at once thus costs no .rows file: on a small VM each file made, renamed and removed cost 100 µs
// and more of CPU. A run's .pings files that a crash or a stop left are closed into .rows by the next start. Not
// Sendable: the history writer uses it on its spool queue only; .rows files are written, read and removed (static
// functions) on its database queue, which the spool queue never waits for.
import Foundation
import Glibc
import History
import Platform

/// A closed step waiting for the database: its rows in memory (`rows`, just closed; `name` is then its .pings
/// file), or in a .rows file (`name`).
package struct SpooledStep: Comparable, Sendable {
    package var run: Int64
    package var stepStart: Int64
    package var name: String
    /// The rows' size as a .rows file (at most, while they are in memory): what the spool's limit counts.
    package var bytes: Int
    package var rows: StepRows? = nil

    package static func < (a: SpooledStep, b: SpooledStep) -> Bool { (a.stepStart, a.run) < (b.stepStart, b.run) }
    package static func == (a: SpooledStep, b: SpooledStep) -> Bool {
        (a.run, a.stepStart, a.name) == (b.run, b.stepStart, b.name)
    }
}

/// One step's rollups by domain, as measured by one run: encoded as the history table stores them (the
/// database queue passes them on without decoding), with each one's count of pings sent.
package struct StepRows: Sendable {
    package var resolution: Int64
    package var stepStart: Int64
    package var run: Int64
    package var rows: [(domain: String, sent: UInt32, rollup: [UInt8])]
}

package final class HistorySpool {
    package let directory: String
    package let run: Int64
    let resolution: Int64
    /// This run's domains by place.
    private(set) var domains: [String] = []
    private let hostsFile: FileDescriptor
    /// Open steps' .pings files, by step start.
    private var open: [Int64: FileDescriptor] = [:]

    /// Creates the directory and this run's hosts file.
    package init(directory: String, run: Int64, resolution: Int64) throws {
        self.directory = directory
        self.run = run
        self.resolution = resolution
        try Files.makeDirectory(directory)
        hostsFile = try Files.open(directory + "/\(run).hosts", O_WRONLY | O_CREAT | O_APPEND)
    }

    /// Steps with a .pings file of this run.
    package var openSteps: [Int64] { open.keys.sorted() }

    /// Notes the domains of places not seen before (places only ever grow; a known place keeps its domain).
    package func watch(_ hosts: [(position: Int, domain: String)]) throws {
        var added = ""
        for (position, domain) in hosts.sorted(by: { $0.position < $1.position }) where position == domains.count {
            domains.append(domain)
            added += domain + "\n"
        }
        if !added.isEmpty { try Files.write(hostsFile, Array(added.utf8), label: directory + "/\(run).hosts") }
    }

    /// Appends encoded pings (8 bytes each) to the step's .pings file, creating it.
    package func append(step: Int64, _ records: [UInt8]) throws {
        let fd: FileDescriptor
        if let existing = open[step] {
            fd = existing
        } else {
            let path = pingsPath(run: run, step: step)
            fd = try Files.open(path, O_WRONLY | O_CREAT | O_APPEND)
            if try Files.size(path) == 0 {
                var header = Self.pingsMagic + [0, 0, 0, 0]
                withUnsafeBytes(of: resolution.littleEndian) { header += $0 }
                withUnsafeBytes(of: step.littleEndian) { header += $0 }
                try Files.write(fd, header, label: path)
            }
            open[step] = fd
        }
        try Files.write(fd, records, label: pingsPath(run: run, step: step))
    }

    /// Closes this run's step: its pings become rows in memory, and its .pings file stays until they are in the
    /// database or spilled (nil, and the file goes, when it had none).
    package func close(step: Int64) throws -> SpooledStep? {
        open[step]?.close()
        open[step] = nil
        return try closed(run: run, step: step, domains: domains)
    }

    /// A closed step's .pings file read into rows in memory; nil, and the file removed, when it held no ping.
    private func closed(run: Int64, step: Int64, domains: [String]) throws -> SpooledStep? {
        let name = Self.fileName(run: run, step: step, suffix: ".pings")
        guard let rows = try Self.readPings(directory + "/" + name, run: run, step: step, resolution: resolution,
                                            domains: domains) else {
            try Files.remove(directory + "/" + name)
            return nil
        }
        return SpooledStep(run: run, stepStart: step, name: name, bytes: Self.fileSize(rows), rows: rows)
    }

    /// Writes an in-memory step's rows into its .rows file and removes its .pings file: the step then waits on
    /// disk alone (while the database is away). A step already on disk is returned as it is.
    package static func spill(_ step: SpooledStep, in directory: String) throws -> SpooledStep {
        guard let rows = step.rows else { return step }
        let spilled = try write(rows, in: directory)
        try Files.remove(directory + "/" + step.name)
        return spilled
    }

    /// What earlier runs left: their .pings files closed into .rows, then every .rows file, oldest step first.
    /// `problems` gets a line for each file that could not be read (it is left in place).
    package func recover(problems: inout [String]) throws -> [SpooledStep] {
        let names = try Files.list(directory)
        var domainsByRun: [Int64: [String]] = [:]
        for name in names where name.hasSuffix(".pings") {
            guard let (otherRun, step) = Self.parse(name, suffix: ".pings"), otherRun != run else { continue }
            if domainsByRun[otherRun] == nil {
                let text = try Files.read(directory + "/\(otherRun).hosts") ?? []
                domainsByRun[otherRun] = String(decoding: text, as: UTF8.self).split(separator: "\n").map(String.init)
            }
            do {
                // Into a .rows file: it waits there like any step the database did not take.
                _ = try closed(run: otherRun, step: step, domains: domainsByRun[otherRun] ?? []).map {
                    try Self.spill($0, in: directory)
                }
            } catch {
                problems.append("\(name): \(error)")
            }
        }
        for name in names where name.hasSuffix(".hosts") {
            if let otherRun = Int64(name.dropLast(".hosts".count)), otherRun != run {
                try Files.remove(directory + "/" + name)
            }
        }
        return try spooled()
    }

    /// Every .rows file, oldest step first.
    package func spooled() throws -> [SpooledStep] {
        try Files.list(directory).compactMap { name -> SpooledStep? in
            guard let (run, step) = Self.parse(name, suffix: ".rows") else { return nil }
            return SpooledStep(run: run, stepStart: step, name: name, bytes: try Files.size(directory + "/" + name) ?? 0)
        }.sorted()
    }

    /// Removes a step's file, .rows or (rows in memory) .pings: its rows are in the database, or it is dropped.
    package static func remove(_ step: SpooledStep, in directory: String) throws {
        try Files.remove(directory + "/" + step.name)
    }

    private func pingsPath(run: Int64, step: Int64) -> String {
        directory + "/" + Self.fileName(run: run, step: step, suffix: ".pings")
    }
}
