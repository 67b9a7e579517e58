// inotify, wrapped once: a non-blocking descriptor watching directories, and the names its events are about.
// The host file's reloader watches the file's directory, so that a save that writes a new file and renames it
// over the old one is seen as well as a write in place.
import Glibc

package final class Inotify: Sendable {
    /// What happened to a name in a watched directory.
    package struct Event: Equatable, Sendable {
        package var name: String
        package var mask: UInt32

        /// The watch itself is gone (its directory was deleted or unmounted).
        package var watchEnded: Bool { mask & UInt32(IN_IGNORED) != 0 }
    }

    /// A file written and closed, or moved or created in the directory; deletions; the directory itself leaving.
    package static let directoryChanges = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM
                                                 | IN_DELETE_SELF | IN_MOVE_SELF)

    package let fd: FileDescriptor

    package init() throws {
        fd = FileDescriptor(try syscall("inotify_init1") { inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC)) })
    }

    /// Watches `directory` for `mask` (see `directoryChanges`).
    package func watch(directory: String, mask: UInt32 = Inotify.directoryChanges) throws {
        try syscall("inotify_add_watch(\(directory))") { inotify_add_watch(fd.rawValue, directory, mask) }
    }

    /// The events waiting now (none when there are none: the descriptor is non-blocking).
    package func read() throws -> [Event] {
        var events: [Event] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let result = try buffer.withUnsafeMutableBytes { raw in
                try nonBlockingSyscall("read(inotify)") { Glibc.read(fd.rawValue, raw.baseAddress, raw.count) }
            }
            guard case .processed(let count) = result, count > 0 else { return events }
            events += Self.parse(buffer[0..<count])
        }
    }

    /// Splits a read's bytes into events: each is a `struct inotify_event` (wd, mask, cookie, len) and `len`
    /// bytes of NUL-padded name.
    static func parse(_ bytes: ArraySlice<UInt8>) -> [Event] {
        var events: [Event] = []
        var offset = bytes.startIndex
        let header = 16
        while offset + header <= bytes.endIndex {
            func word(_ at: Int) -> UInt32 {
                UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
            }
            let mask = word(offset + 4)
            let length = Int(word(offset + 12))
            let nameStart = offset + header
            let nameEnd = min(nameStart + length, bytes.endIndex)
            let name = bytes[nameStart..<nameEnd].prefix { $0 != 0 }
            events.append(Event(name: String(decoding: name, as: UTF8.self), mask: mask))
            offset = nameStart + length
        }
        return events
    }
}
