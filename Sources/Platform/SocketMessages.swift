// recvmsg with its control messages, wrapped once: the bytes of one datagram, who sent it, when the kernel
// received it (SO_TIMESTAMPNS), and, from a socket's error queue (IP_RECVERR), the ICMP error the kernel queued.
import CLinux
import Glibc

/// An ICMP error the kernel queued on a datagram socket (sock_extended_err), about a packet the socket sent.
package struct QueuedICMPError: Sendable {
    /// True for ICMPv6 (SO_EE_ORIGIN_ICMP6), false for ICMPv4.
    package var isICMPv6: Bool
    package var type: UInt8
    package var code: UInt8
    /// Who reported it (SO_EE_OFFENDER), if the kernel says.
    package var reporter: SocketAddress?
}

/// What came with one received datagram besides its bytes.
package struct MessageInfo {
    package var source: SocketAddress?
    /// CLOCK_REALTIME nanoseconds at which the kernel received it, when SO_TIMESTAMPNS is on.
    package var kernelRealtimeNanoseconds: Int64?
    /// For a read of the error queue: the ICMP error, if the entry is one.
    package var queuedError: QueuedICMPError?
}

/// Reads datagrams into buffers allocated once. Not Sendable: one per socket, used on that socket's queue.
package final class MessageReader {
    private let buffer: UnsafeMutableRawBufferPointer
    private let control: UnsafeMutableRawBufferPointer

    package init(bufferBytes: Int = 2048, controlBytes: Int = 512) {
        buffer = .allocate(byteCount: bufferBytes, alignment: 16)
        control = .allocate(byteCount: controlBytes, alignment: 16)
    }

    deinit {
        buffer.deallocate()
        control.deallocate()
    }

    /// One recvmsg; `read` sees the bytes and their info while the buffers hold them. False when nothing is
    /// waiting. `errorQueue` reads the socket's error queue (MSG_ERRQUEUE) instead of its data. A pending socket
    /// error is thrown as `SystemError`. Not generic, so the read path is compiled once, here, for every caller.
    package func receive(_ fd: FileDescriptor, errorQueue: Bool = false,
                         _ read: (UnsafeRawBufferPointer, MessageInfo) -> Void) throws -> Bool {
        var storage = sockaddr_storage()
        var vector = iovec(iov_base: buffer.baseAddress, iov_len: buffer.count)
        var message = msghdr()
        message.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
        message.msg_iovlen = 1
        message.msg_control = control.baseAddress
        message.msg_controllen = control.count
        let flags = errorQueue ? clinux_msg_errqueue() : 0
        let result: IOResult<Int> = try withUnsafeMutablePointer(to: &storage) { name in
            try withUnsafeMutablePointer(to: &vector) { vectorPointer in
                message.msg_name = UnsafeMutableRawPointer(name)
                message.msg_iov = vectorPointer
                defer {
                    message.msg_name = nil
                    message.msg_iov = nil
                }
                return try Socket.receiveMessage(fd, &message, flags: flags)
            }
        }
        guard case .processed(let length) = result else { return false }
        var info = MessageInfo(source: SocketAddress(storage: storage))
        Self.readControl(&message, into: &info)
        read(UnsafeRawBufferPointer(rebasing: buffer[0..<min(length, buffer.count)]), info)
        return true
    }

    private static func readControl(_ message: inout msghdr, into info: inout MessageInfo) {
        var header = clinux_cmsg_firsthdr(&message)
        while let current = header {
            let level = current.pointee.cmsg_level
            let type = current.pointee.cmsg_type
            if let data = clinux_cmsg_data(current) {
                if level == SOL_SOCKET, type == clinux_so_timestampns() {
                    let spec = UnsafeRawPointer(data).loadUnaligned(as: timespec.self)
                    info.kernelRealtimeNanoseconds = Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
                } else if (level == IPPROTO_IP && type == clinux_ip_recverr())
                            || (level == IPPROTO_IPV6 && type == clinux_ipv6_recverr()) {
                    info.queuedError = queuedError(UnsafeMutableRawPointer(data).assumingMemoryBound(to: sock_extended_err.self))
                }
            }
            header = clinux_cmsg_nxthdr(&message, current)
        }
    }

    private static func queuedError(_ pointer: UnsafeMutablePointer<sock_extended_err>) -> QueuedICMPError? {
        let error = pointer.pointee
        guard error.ee_origin == SO_EE_ORIGIN_ICMP || error.ee_origin == SO_EE_ORIGIN_ICMP6 else { return nil }
        var reporter: SocketAddress?
        if let offender = clinux_ee_offender(pointer) {
            var stored = sockaddr_storage()
            let size = offender.pointee.sa_family == sa_family_t(AF_INET6)
                ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size
            withUnsafeMutableBytes(of: &stored) { $0.copyMemory(from: UnsafeRawBufferPointer(start: offender, count: size)) }
            reporter = SocketAddress(storage: stored)
        }
        return QueuedICMPError(isICMPv6: error.ee_origin == SO_EE_ORIGIN_ICMP6, type: error.ee_type, code: error.ee_code,
                               reporter: reporter)
    }
}
