// Socket syscalls, wrapped once: socket, bind, connect, listen, accept4, send/sendmsg/recv, sendto/recvmsg, setsockopt.
import Glibc
import CLinux

/// Thin, typed wrappers over socket calls on an owned descriptor. Every failure is a `SystemError`.
package enum Socket {
    /// Opens a socket; `type` may include SOCK_NONBLOCK | SOCK_CLOEXEC.
    package static func open(family: Int32, type: Int32, protocol proto: Int32, label: String) throws -> FileDescriptor {
        let fd = try syscall("socket(\(label))") { Glibc.socket(family, type, proto) }
        return FileDescriptor(fd)
    }

    package static func bind(_ fd: FileDescriptor, to address: SocketAddress) throws {
        _ = try address.withSockAddr { pointer, length in
            try syscall("bind(\(address))") { Glibc.bind(fd.rawValue, pointer, length) }
        }
    }

    /// Connects a blocking socket (the health probe's; the server never connects anywhere).
    package static func connect(_ fd: FileDescriptor, to address: SocketAddress) throws {
        _ = try address.withSockAddr { pointer, length in
            try syscall("connect(\(address))") { Glibc.connect(fd.rawValue, pointer, length) }
        }
    }

    package static func listen(_ fd: FileDescriptor, backlog: Int32) throws {
        try syscall("listen") { Glibc.listen(fd.rawValue, backlog) }
    }

    /// Accepts one connection as a non-blocking, close-on-exec descriptor, or `.wouldBlock`.
    /// Errors that concern only the aborted connection (ECONNABORTED, EPROTO) are reported as would-block is not;
    /// the caller decides; EMFILE/ENFILE come back as errors so the caller can back off.
    package static func accept(_ fd: FileDescriptor) throws -> IOResult<(FileDescriptor, SocketAddress?)> {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = try withUnsafeMutablePointer(to: &storage) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                try nonBlockingSyscall("accept4") {
                    clinux_accept4(fd.rawValue, address, &length, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
                }
            }
        }
        switch result {
        case .wouldBlock: return .wouldBlock
        case .processed(let client): return .processed((FileDescriptor(client), SocketAddress(storage: storage)))
        }
    }

    /// Reads into `buffer`; `.processed(0)` means the peer closed.
    package static func receive(_ fd: FileDescriptor, into buffer: UnsafeMutableRawBufferPointer) throws -> IOResult<Int> {
        try nonBlockingSyscall("recv") { Glibc.recv(fd.rawValue, buffer.baseAddress, buffer.count, 0) }
    }

    /// Writes from `buffer` without raising SIGPIPE.
    package static func send(_ fd: FileDescriptor, _ buffer: UnsafeRawBufferPointer) throws -> IOResult<Int> {
        try nonBlockingSyscall("send") { Glibc.send(fd.rawValue, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Writes the buffers of `vectors` in order (a gathering write, as writev) without raising SIGPIPE.
    package static func send(_ fd: FileDescriptor, vectors: UnsafeBufferPointer<iovec>) throws -> IOResult<Int> {
        var message = msghdr()
        message.msg_iov = UnsafeMutablePointer(mutating: vectors.baseAddress)
        message.msg_iovlen = vectors.count
        return try nonBlockingSyscall("sendmsg") { Glibc.sendmsg(fd.rawValue, &message, Int32(MSG_NOSIGNAL)) }
    }

    /// Sends one datagram to `address`.
    package static func send(_ fd: FileDescriptor, _ buffer: UnsafeRawBufferPointer, to address: SocketAddress) throws -> IOResult<Int> {
        try address.withSockAddr { pointer, length in
            try nonBlockingSyscall("sendto(\(address.ipString))") {
                Glibc.sendto(fd.rawValue, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), pointer, length)
            }
        }
    }

    /// recvmsg with the caller's prepared header (iovecs, name and control buffers).
    package static func receiveMessage(_ fd: FileDescriptor, _ message: UnsafeMutablePointer<msghdr>, flags: Int32 = 0) throws -> IOResult<Int> {
        try nonBlockingSyscall("recvmsg") { Glibc.recvmsg(fd.rawValue, message, flags) }
    }

    package static func setOption<T: BitwiseCopyable>(_ fd: FileDescriptor, level: Int32, name: Int32, value: T, label: String) throws {
        var copy = value
        try syscall("setsockopt(\(label))") {
            withUnsafeBytes(of: &copy) { setsockopt(fd.rawValue, level, name, $0.baseAddress, socklen_t($0.count)) }
        }
    }

    /// The address a socket is bound to (to learn the port the kernel chose for port 0).
    package static func localAddress(_ fd: FileDescriptor) throws -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutablePointer(to: &storage) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                try syscall("getsockname") { getsockname(fd.rawValue, address, &length) }
            }
        }
        return SocketAddress(storage: storage)
    }

    package static func shutdown(_ fd: FileDescriptor, how: Int32) {
        _ = Glibc.shutdown(fd.rawValue, how)
    }
}
