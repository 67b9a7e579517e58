// Helpers that turn the C convention (-1 and errno) into Swift: EINTR retried, EAGAIN reported as would-block.
import Glibc

/// The outcome of a non-blocking call: it did something, or it would have blocked.
package enum IOResult<Value> {
    case processed(Value)
    case wouldBlock
}

/// Runs a call that returns -1 on error, retrying on EINTR; throws `SystemError` for any other failure.
/// EBADF and EFAULT mean a bug in this program, not in the environment, and stop it.
@inline(__always)
@discardableResult
func syscall<T: FixedWidthInteger>(_ name: @autoclosure () -> String, _ body: () -> T) throws -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = errno
        if code == EINTR { continue }
        precondition(code != EBADF && code != EFAULT, "\(name()) failed with \(SystemError.text(for: code)): a bug")
        throw SystemError(name(), errno: code)
    }
}

/// Like `syscall`, but EAGAIN/EWOULDBLOCK become `.wouldBlock` instead of an error.
@inline(__always)
func nonBlockingSyscall<T: FixedWidthInteger>(_ name: @autoclosure () -> String, _ body: () -> T) throws -> IOResult<T> {
    while true {
        let result = body()
        if result != -1 { return .processed(result) }
        let code = errno
        if code == EINTR { continue }
        if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
        precondition(code != EBADF && code != EFAULT, "\(name()) failed with \(SystemError.text(for: code)): a bug")
        throw SystemError(name(), errno: code)
    }
}
