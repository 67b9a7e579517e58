// The bytes one connection still owes its client, in order: response heads (and small bodies) built in a
// buffer of the queue's own, large bodies queued by reference, so the cached /status bytes are shared by
// every response rather than copied into each; sent with one gathering write per call.
import Glibc
import Platform

struct OutputQueue {
    /// Bodies from this size on are queued by reference; smaller ones are copied behind their head.
    static let shareThreshold = 2048
    /// Most buffers handed to one sendmsg.
    static let maxVectorsPerSend = 16

    private var segments: [[UInt8]] = []
    /// The first segment not yet fully sent, and how much of it was.
    private var first = 0
    private var firstOffset = 0
    /// The last segment was built here (not a shared body), so more bytes may be appended to it.
    private var tailIsOwn = false
    /// An emptied buffer of our own kept for the next response, so steady keep-alive traffic does not allocate.
    private var spare: [UInt8] = []
    /// Bytes not yet sent.
    private(set) var count = 0

    /// Appends bytes built in place into the queue's own buffer.
    mutating func appendOwn(_ build: (inout [UInt8]) -> Void) {
        if !tailIsOwn {
            segments.append(spare)
            spare = []
            tailIsOwn = true
        }
        let last = segments.count - 1
        let before = segments[last].count
        build(&segments[last])
        count += segments[last].count - before
    }

    /// Appends `bytes`: by reference when large, copied otherwise.
    mutating func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        if bytes.count < Self.shareThreshold {
            appendOwn { $0.append(contentsOf: bytes) }
            return
        }
        segments.append(bytes)
        tailIsOwn = false
        count += bytes.count
    }

    /// Sends as much as the socket takes, from the front, at most `limit` bytes. `.processed(n)`: n bytes went out
    /// and were dropped.
    mutating func send(to fd: FileDescriptor, limit: Int = .max) throws -> IOResult<Int> {
        guard count > 0, limit > 0 else { return .processed(0) }
        let end = min(segments.count, first + Self.maxVectorsPerSend)
        let result: IOResult<Int>
        if end - first == 1 {
            let skip = firstOffset
            result = try segments[first].withUnsafeBytes { bytes in
                try Socket.send(fd, UnsafeRawBufferPointer(rebasing: bytes[skip..<(skip + min(limit, bytes.count - skip))]))
            }
        } else {
            result = try withUnsafeTemporaryAllocation(of: iovec.self, capacity: end - first) { vectors in
                try gather(from: first, to: end, into: vectors, filled: 0, room: limit, fd: fd)
            }
        }
        if case .processed(let written) = result { consume(written) }
        return result
    }

    /// Fills `vectors` with the segments first..<end, each pinned by its own withUnsafeBytes, up to `room` bytes in
    /// all (`filled` vectors so far), then sends them.
    private func gather(from index: Int, to end: Int, into vectors: UnsafeMutableBufferPointer<iovec>, filled: Int,
                        room: Int, fd: FileDescriptor) throws -> IOResult<Int> {
        if index == end || room == 0 {
            return try Socket.send(fd, vectors: UnsafeBufferPointer(rebasing: vectors[..<filled]))
        }
        return try segments[index].withUnsafeBytes { bytes in
            let skip = index == first ? firstOffset : 0
            let length = min(bytes.count - skip, room)
            vectors[filled] = iovec(iov_base: bytes.baseAddress.map { UnsafeMutableRawPointer(mutating: $0 + skip) },
                                    iov_len: length)
            return try gather(from: index + 1, to: end, into: vectors, filled: filled + 1, room: room - length, fd: fd)
        }
    }

    private mutating func consume(_ written: Int) {
        count -= written
        var remaining = written
        while remaining > 0 {
            let left = segments[first].count - firstOffset
            if remaining < left {
                firstOffset += remaining
                return
            }
            remaining -= left
            if first == segments.count - 1 && tailIsOwn {
                swap(&spare, &segments[first])
                spare.removeAll(keepingCapacity: spare.capacity <= 65_536)
            } else {
                segments[first] = []
            }
            first += 1
            firstOffset = 0
        }
        if count == 0 {
            reset()
        } else if first >= 64 {
            segments.removeFirst(first)
            first = 0
        }
    }

    /// Everything sent.
    private mutating func reset() {
        segments.removeAll(keepingCapacity: segments.capacity <= 64)
        first = 0
        firstOffset = 0
        tailIsOwn = false
    }
}
