// An owned file descriptor: closed exactly once, by `close()` or when the owner goes away.
import Glibc

/// Owns one file descriptor. `close()` is idempotent and never retried on EINTR (Linux has already released the fd).
public final class FileDescriptor: @unchecked Sendable {
    public private(set) var rawValue: Int32

    public init(_ rawValue: Int32) {
        self.rawValue = rawValue
    }

    public var isOpen: Bool { rawValue >= 0 }

    public func close() {
        guard rawValue >= 0 else { return }
        _ = Glibc.close(rawValue)
        rawValue = -1
    }

    deinit { close() }
}
