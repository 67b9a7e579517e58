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
    static let pingsMagic: [UInt8] = Array("STP1".utf8)
    static let rowsMagic: [UInt8] = Array("STR1".utf8)
    static let headerSize = 24
    static let recordSize = 8

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
        let path = pingsPath(run: run, step: step)
        guard let rows = try Self.readPings(path, run: run, step: step, resolution: resolution, domains: domains) else {
            try Files.remove(path)
            return nil
        }
        return SpooledStep(run: run, stepStart: step, name: "\(run)-\(step).pings", bytes: Self.fileSize(rows), rows: rows)
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
                _ = try closePings(run: otherRun, step: step, domains: domainsByRun[otherRun] ?? [])
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

    /// The step's rows: those it holds in memory, or its .rows file's.
    package static func rows(_ step: SpooledStep, in directory: String) throws -> StepRows {
        if let rows = step.rows { return rows }
        let path = directory + "/" + step.name
        guard let bytes = try Files.read(path) else { throw SystemError("read(\(path))", errno: ENOENT) }
        var reader = Varint.Reader(bytes: bytes)
        guard reader.take(4).map(Array.init) == rowsMagic, let resolution = reader.varint().flatMap(Int64.init(exactly:)),
              let start = reader.varint().map(Varint.unzigzag), let run = reader.varint().flatMap(Int64.init(exactly:)),
              let count = reader.varint(), count <= UInt64(bytes.count) else { throw damaged(path) }
        var rows: [(domain: String, sent: UInt32, rollup: [UInt8])] = []
        rows.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let domainLength = reader.varint(), let domain = reader.take(Int(clamping: domainLength)),
                  let rollupLength = reader.varint(), let encoded = reader.take(Int(clamping: rollupLength)).map(Array.init),
                  let sent = PingRollup.sent(encoded: encoded) else { throw damaged(path) }
            rows.append((String(decoding: domain, as: UTF8.self), sent, encoded))
        }
        return StepRows(resolution: resolution, stepStart: start, run: run, rows: rows)
    }

    /// Removes a step's file, .rows or (rows in memory) .pings: its rows are in the database, or it is dropped.
    package static func remove(_ step: SpooledStep, in directory: String) throws {
        try Files.remove(directory + "/" + step.name)
    }

    // MARK: Files

    private func pingsPath(run: Int64, step: Int64) -> String { directory + "/\(run)-\(step).pings" }

    /// Reads a .pings file into its rows (a .rows file), then removes it; nil when it held no ping.
    private func closePings(run: Int64, step: Int64, domains: [String]) throws -> SpooledStep? {
        let path = pingsPath(run: run, step: step)
        let rows = try Self.readPings(path, run: run, step: step, resolution: resolution, domains: domains)
        let spooled = try rows.map { try Self.write($0, in: directory) }
        try Files.remove(path)
        return spooled
    }

    /// A .pings file's pings as one row per place that has any; nil when it has none. `resolution` serves when the
    /// file has no header yet.
    private static func readPings(_ path: String, run: Int64, step: Int64, resolution: Int64,
                                  domains: [String]) throws -> StepRows? {
        // A place with no ping keeps sent = 0 and gets no row.
        var rollups = Array(repeating: PingRollup(), count: domains.count)
        var header: [UInt8] = []
        var carry: [UInt8] = []
        try Files.forEachChunk(path) { chunk in
            var bytes = chunk[...]
            if header.count < headerSize {
                let needed = min(headerSize - header.count, bytes.count)
                header += bytes.prefix(needed)
                bytes = bytes.dropFirst(needed)
            }
            if !carry.isEmpty {
                let needed = min(recordSize - carry.count, bytes.count)
                carry += bytes.prefix(needed)
                bytes = bytes.dropFirst(needed)
                if carry.count == recordSize {
                    carry.withUnsafeBytes { count($0, into: &rollups) }
                    carry = []
                }
            }
            let whole = bytes.count / recordSize * recordSize
            count(UnsafeRawBufferPointer(rebasing: bytes.prefix(whole)), into: &rollups)
            carry += bytes.dropFirst(whole)
        }
        var resolution = resolution
        if header.count == headerSize {
            guard Array(header[0..<4]) == pingsMagic else { throw damaged(path) }
            resolution = header.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(fromByteOffset: 8, as: Int64.self)) }
        }
        // Each rollup encoded and let go (its sketch's arrays are most of a step's memory): a step of 10,000 hosts
        // is about a megabyte of rows.
        var rows: [(domain: String, sent: UInt32, rollup: [UInt8])] = []
        for place in rollups.indices where rollups[place].sent > 0 {
            rows.append((domains[place], rollups[place].sent, rollups[place].encoded))
            rollups[place] = PingRollup()
        }
        return rows.isEmpty ? nil : StepRows(resolution: resolution, stepStart: step, run: run, rows: rows)
    }

    /// Writes `rows` as their step's .rows file, whole (see the top of the file).
    private static func write(_ rows: StepRows, in directory: String) throws -> SpooledStep {
        var file = rowsMagic
        file.reserveCapacity(fileSize(rows))
        Varint.append(UInt64(rows.resolution), to: &file)
        Varint.append(Varint.zigzag(rows.stepStart), to: &file)
        Varint.append(UInt64(rows.run), to: &file)
        Varint.append(UInt64(rows.rows.count), to: &file)
        for row in rows.rows {
            let domain = row.domain.utf8
            Varint.append(UInt64(domain.count), to: &file)
            file += domain
            Varint.append(UInt64(row.rollup.count), to: &file)
            file += row.rollup
        }
        let name = "\(rows.run)-\(rows.stepStart).rows"
        try Files.replace(directory + "/" + name, with: file, directory: directory, durable: false)
        return SpooledStep(run: rows.run, stepStart: rows.stepStart, name: name, bytes: file.count)
    }

    /// The size of `rows` as a .rows file at most (each varint counted at its longest).
    static func fileSize(_ rows: StepRows) -> Int {
        rows.rows.reduce(4 + 40) { total, row in total + 20 + row.domain.utf8.count + row.rollup.count }
    }

    /// Counts whole 8-byte ping records; places beyond the known domains (a torn hosts line) are skipped.
    /// In place through the buffer: a rollup is never copied per ping.
    private static func count(_ records: UnsafeRawBufferPointer, into rollups: inout [PingRollup]) {
        rollups.withUnsafeMutableBufferPointer { rollups in
            var offset = 0
            while offset + recordSize <= records.count {
                let place = Int(UInt32(littleEndian: records.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                let bits = UInt32(littleEndian: records.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
                offset += recordSize
                guard place < rollups.count else { continue }
                let rtt = Float(bitPattern: bits)
                if rtt.isNaN { rollups[place].loss() } else { rollups[place].reply(Double(rtt)) }
            }
        }
    }

    /// One ping as its 8 bytes.
    package static func record(place: Int, rttMilliseconds: Double?, into bytes: inout [UInt8]) {
        let bits = rttMilliseconds.map { Float($0).bitPattern } ?? Float.nan.bitPattern
        let word = UInt64(UInt32(truncatingIfNeeded: place)) | UInt64(bits) << 32
        withUnsafeBytes(of: word.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// "<run>-<step><suffix>" → (run, step).
    static func parse(_ name: String, suffix: String) -> (Int64, Int64)? {
        guard name.hasSuffix(suffix) else { return nil }
        let stem = name.dropLast(suffix.count)
        guard let dash = stem.firstIndex(of: "-"), let run = Int64(stem[..<dash]),
              let step = Int64(stem[stem.index(after: dash)...]) else { return nil }
        return (run, step)
    }

    private static func damaged(_ path: String) -> SystemError { SystemError("read(\(path)): not a history file", errno: EINVAL) }
}
