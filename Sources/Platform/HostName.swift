// The machine's host name (gethostname), for the default probe name.
import Glibc

package enum HostName {
    /// The kernel's host name (the UTS namespace's); nil if it cannot be read or is empty.
    package static func current() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return nil }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? nil : name
    }
}
