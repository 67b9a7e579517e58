// The history spool's two file formats (described at the top of HistorySpool.swift): a .pings file read into
// rows, rows written as a .rows file and read back, a step's file names, and one ping's 8-byte record.
import Foundation
import Glibc
import History
import Platform

extension HistorySpool {
    static let pingsMagic: [UInt8] = Array("STP1".utf8)
    static let rowsMagic: [UInt8] = Array("STR1".utf8)
    static let headerSize = 24
    static let recordSize = 8

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

    /// A .pings file's pings as one row per place that has any; nil when it has none. `resolution` serves when the
    /// file has no header yet.
    static func readPings(_ path: String, run: Int64, step: Int64, resolution: Int64,
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
    static func write(_ rows: StepRows, in directory: String) throws -> SpooledStep {
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
        let name = fileName(run: rows.run, step: rows.stepStart, suffix: ".rows")
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

    /// "<run>-<step><suffix>", a step's file name.
    static func fileName(run: Int64, step: Int64, suffix: String) -> String { "\(run)-\(step)\(suffix)" }

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
