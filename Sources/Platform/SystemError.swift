// The error every wrapped syscall throws: which call failed and the errno text.
import Glibc

/// A failed system call: the call's name and `errno`, rendered as "socket(AF_INET, SOCK_RAW) failed: Operation not permitted".
package struct SystemError: Error, CustomStringConvertible, Equatable {
    package let call: String
    package let errno: Int32

    package init(_ call: String, errno: Int32 = Glibc.errno) {
        self.call = call
        self.errno = errno
    }

    package var description: String {
        "\(call) failed: \(SystemError.text(for: errno))"
    }

    /// `strerror` text for an errno value.
    package static func text(for errno: Int32) -> String {
        guard let message = strerror(errno) else { return "errno \(errno)" }
        return String(cString: message)
    }
}
