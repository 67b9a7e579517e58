// File calls for the state directory, wrapped once: open, whole writes, fsync, truncate, rename, directories and
// an exclusive lock, each turning -1/errno into a SystemError that names the call and the path.
import Glibc

package enum Files {
    /// Opens `path` with `flags` (O_CLOEXEC added); `mode` for O_CREAT.
    package static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o600) throws -> FileDescriptor {
        FileDescriptor(try syscall("open(\(path))") { Glibc.open(path, flags | O_CLOEXEC, mode) })
    }

    /// Writes all of `bytes` at the descriptor's offset (O_APPEND: at the end).
    package static func write(_ fd: FileDescriptor, _ bytes: [UInt8], label: String) throws {
        try write(descriptor: fd.rawValue, bytes, label: label)
    }

    /// Writes all of `bytes` to a descriptor this code does not own (standard output).
    package static func write(descriptor: Int32, _ bytes: [UInt8], label: String) throws {
        var offset = 0
        try bytes.withUnsafeBytes { buffer in
            while offset < buffer.count {
                let base = buffer.baseAddress.map { $0 + offset }
                offset += try syscall("write(\(label))") { Glibc.write(descriptor, base, buffer.count - offset) }
            }
        }
    }

    /// Writes all of `bytes` at `offset`, leaving the descriptor's own offset alone (pwrite).
    package static func write(_ fd: FileDescriptor, _ bytes: [UInt8], at offset: Int, label: String) throws {
        var done = 0
        try bytes.withUnsafeBytes { buffer in
            while done < buffer.count {
                let base = buffer.baseAddress.map { $0 + done }
                done += try syscall("pwrite(\(label))") { pwrite(fd.rawValue, base, buffer.count - done, off_t(offset + done)) }
            }
        }
    }

    /// Waits until the file's data is on disk.
    package static func sync(_ fd: FileDescriptor, label: String) throws {
        try syscall("fsync(\(label))") { fsync(fd.rawValue) }
    }

    package static func truncate(_ fd: FileDescriptor, to length: Int, label: String) throws {
        try syscall("ftruncate(\(label))") { ftruncate(fd.rawValue, off_t(length)) }
    }

    /// The whole file's contents; nil when it does not exist.
    package static func read(_ path: String) throws -> [UInt8]? {
        let fd: FileDescriptor
        do {
            fd = try open(path, O_RDONLY)
        } catch let error as SystemError where error.errno == ENOENT {
            return nil
        }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = try chunk.withUnsafeMutableBytes { buffer in
                try syscall("read(\(path))") { Glibc.read(fd.rawValue, buffer.baseAddress, buffer.count) }
            }
            if count == 0 { return contents }
            contents.append(contentsOf: chunk[0..<count])
        }
    }

    /// Reads the file in chunks of up to `size` bytes, calling `body` with each (the buffer is reused); false when
    /// the file does not exist.
    @discardableResult
    package static func forEachChunk(_ path: String, size: Int = 65_536,
                                     _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        let fd: FileDescriptor
        do {
            fd = try open(path, O_RDONLY)
        } catch let error as SystemError where error.errno == ENOENT {
            return false
        }
        // No larger than the file, and not zeroed: a step's file at an idle daemon is a few hundred bytes, and a
        // 64 KiB buffer was fresh heap pages faulted in (and the heap's top given back) at every step's close.
        var info = stat()
        let fileSize = fstat(fd.rawValue, &info) == 0 ? Int(info.st_size) : size
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: max(min(size, fileSize + 1), 1), alignment: 8)
        defer { chunk.deallocate() }
        while true {
            let count = try syscall("read(\(path))") { Glibc.read(fd.rawValue, chunk.baseAddress, chunk.count) }
            if count == 0 { return true }
            try body(UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
        }
    }

    /// Removes the file; one already gone is not an error.
    package static func remove(_ path: String) throws {
        if unlink(path) == -1, errno != ENOENT { throw SystemError("unlink(\(path))") }
    }

    /// The names in `directory` (not "." or "..").
    package static func list(_ directory: String) throws -> [String] {
        guard let handle = opendir(directory) else { throw SystemError("opendir(\(directory))") }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// The file's size in bytes; nil when it does not exist.
    package static func size(_ path: String) throws -> Int? {
        var info = stat()
        if stat(path, &info) == -1 {
            if errno == ENOENT { return nil }
            throw SystemError("stat(\(path))")
        }
        return Int(info.st_size)
    }

    /// Replaces `path` with `bytes` so that a crash leaves either the old or the new file whole: write a
    /// temporary file, fsync it, rename it over the old one, fsync the directory. Not `durable`, the fsyncs are
    /// left out: the daemon dying still leaves one whole file, a power cut may leave neither.
    package static func replace(_ path: String, with bytes: [UInt8], directory: String, durable: Bool = true) throws {
        let temporary = path + ".tmp"
        let fd = try open(temporary, O_WRONLY | O_CREAT | O_TRUNC)
        try write(fd, bytes, label: temporary)
        if durable { try sync(fd, label: temporary) }
        fd.close()
        try syscall("rename(\(temporary), \(path))") { rename(temporary, path) }
        guard durable else { return }
        let directoryFD = try open(directory, O_RDONLY | O_DIRECTORY)
        try sync(directoryFD, label: directory)
    }

    /// Creates `path` and its parents as needed (mode 0700 for new ones).
    package static func makeDirectory(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o700) == -1, errno != EEXIST {
                throw SystemError("mkdir(\(prefix))")
            }
        }
    }

    /// Takes an exclusive lock on the open file without waiting; false when another process holds it.
    package static func tryLock(_ fd: FileDescriptor, label: String) throws -> Bool {
        do {
            try syscall("flock(\(label))") { flock(fd.rawValue, LOCK_EX | LOCK_NB) }
            return true
        } catch let error as SystemError where error.errno == EWOULDBLOCK {
            return false
        }
    }
}

/// Standard error: only for what stops start-up, one line each, before any thread of ours runs.
package enum StandardError {
    package static func writeLine(_ text: String) {
        try? Files.write(descriptor: STDERR_FILENO, Array((text + "\n").utf8), label: "stderr")
    }
}
