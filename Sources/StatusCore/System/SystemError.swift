// The error every wrapped syscall throws: which call failed and the errno text.
import Glibc

/// A failed system call: the call's name and `errno`, rendered as "socket(AF_INET, SOCK_RAW) failed: Operation not permitted".
public struct SystemError: Error, CustomStringConvertible, Equatable {
    public let call: String
    public let errno: Int32

    public init(_ call: String, errno: Int32 = Glibc.errno) {
        self.call = call
        self.errno = errno
    }

    public var description: String {
        "\(call) failed: \(SystemError.text(for: errno))"
    }

    /// `strerror` text for an errno value.
    public static func text(for errno: Int32) -> String {
        guard let message = strerror(errno) else { return "errno \(errno)" }
        return String(cString: message)
    }
}
