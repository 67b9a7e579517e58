// One ICMP socket of one address family, shared by every host: raw if permitted, else the unprivileged
// datagram ("ping") socket. Sends echo requests; reads replies and errors with the kernel's receive time; in
// datagram mode ICMP errors come through the socket's error queue (IP_RECVERR) instead of as packets.
import CLinux
import Glibc

final class ICMPSocket {
    enum Mode: String { case raw, datagram }

    /// An ICMP error the kernel queued for a datagram socket, about one of our echoes.
    struct QueuedError {
        var kind: String
        var sequence: UInt16
        var reporter: SocketAddress?
    }

    let family: ICMPFamily
    let mode: Mode
    /// Why raw was not used, when it was not.
    let fallbackReason: String?
    let fd: FileDescriptor
    /// Receive buffers, allocated once: one datagram and its control messages.
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 16)
    private let control = UnsafeMutableRawBufferPointer.allocate(byteCount: 512, alignment: 16)

    /// Opens raw, then datagram on EPERM/EACCES. Throws when neither can be opened. `receiveBufferBytes`: room
    /// for the replies of one burst (SO_RCVBUFFORCE when permitted, else SO_RCVBUF up to net.core.rmem_max).
    init(family: ICMPFamily, receiveBufferBytes: Int = 1 << 20) throws {
        self.family = family
        let domain = family == .v4 ? AF_INET : AF_INET6
        let proto = family == .v4 ? Int32(IPPROTO_ICMP) : Int32(IPPROTO_ICMPV6)
        let flags = Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        let label = family == .v4 ? "AF_INET" : "AF_INET6"
        do {
            fd = try Socket.open(family: domain, type: Int32(SOCK_RAW.rawValue) | flags, protocol: proto,
                                 label: "\(label), SOCK_RAW")
            mode = .raw
            fallbackReason = nil
        } catch let error as SystemError where error.errno == EPERM || error.errno == EACCES {
            fd = try Socket.open(family: domain, type: Int32(SOCK_DGRAM.rawValue) | flags, protocol: proto,
                                 label: "\(label), SOCK_DGRAM")
            mode = .datagram
            fallbackReason = "\(error)"
        }
        try configure(receiveBufferBytes: receiveBufferBytes)
    }

    deinit {
        buffer.deallocate()
        control.deallocate()
    }

    private func configure(receiveBufferBytes: Int) throws {
        let size = Int32(clamping: receiveBufferBytes)
        if (try? Socket.setOption(fd, level: SOL_SOCKET, name: SO_RCVBUFFORCE, value: size, label: "SO_RCVBUFFORCE")) == nil {
            try? Socket.setOption(fd, level: SOL_SOCKET, name: SO_RCVBUF, value: size, label: "SO_RCVBUF")
        }
        try Socket.setOption(fd, level: SOL_SOCKET, name: clinux_so_timestampns(), value: Int32(1), label: "SO_TIMESTAMPNS")
        switch (family, mode) {
        case (.v4, .raw):
            // Let through only echo reply, destination unreachable, time exceeded and parameter problem.
            let wanted: UInt32 = (1 << 0) | (1 << 3) | (1 << 11) | (1 << 12)
            try Socket.setOption(fd, level: Int32(SOL_RAW), name: CLINUX_ICMP_FILTER,
                                 value: clinux_icmp_filter(data: ~wanted), label: "ICMP_FILTER")
        case (.v6, .raw):
            var filter = icmp6_filter()
            let types: [Int32] = [129, 1, 2, 3, 4]
            types.withUnsafeBufferPointer { clinux_icmp6_filter_pass_only(&filter, $0.baseAddress, Int32($0.count)) }
            try Socket.setOption(fd, level: Int32(IPPROTO_ICMPV6), name: ICMP6_FILTER, value: filter, label: "ICMP6_FILTER")
        case (.v4, .datagram):
            try Socket.setOption(fd, level: Int32(IPPROTO_IP), name: clinux_ip_recverr(), value: Int32(1), label: "IP_RECVERR")
        case (.v6, .datagram):
            try Socket.setOption(fd, level: Int32(IPPROTO_IPV6), name: clinux_ipv6_recverr(), value: Int32(1),
                                 label: "IPV6_RECVERR")
        }
    }

    /// IPv4 raw reads start with the IP header.
    var readsIncludeIPHeader: Bool { family == .v4 && mode == .raw }

    func send(_ packet: [UInt8], to address: SocketAddress) throws -> IOResult<Int> {
        try packet.withUnsafeBytes { try Socket.send(fd, $0, to: address) }
    }

    /// Reads one datagram and hands it to `read` while the receive buffer holds it: its bytes, its sender, and
    /// the CLOCK_REALTIME nanoseconds at which the kernel received it (SO_TIMESTAMPNS), if given. False when
    /// nothing is waiting. A pending socket error (datagram mode reports ICMP errors this way too) is thrown as
    /// `SystemError`; the caller then drains the error queue.
    func receive(_ read: (UnsafeRawBufferPointer, SocketAddress?, Int64?) -> Void) throws -> Bool {
        try receiveMessage(flags: 0) { message, bytes, source in
            read(bytes, source, kernelTimestamp(&message))
        } != nil
    }

    /// Reads error-queue entries (datagram mode) until one is an ICMP error about an echo; nil when it is empty.
    func receiveQueuedError() -> QueuedError? {
        while true {
            guard let entry = try? receiveMessage(flags: clinux_msg_errqueue(), { message, bytes, _ in
                queuedError(&message, payload: bytes)
            }) else { return nil }
            if let error = entry { return error }
        }
    }

    /// One recvmsg into this socket's buffers; `read` sees the message, the bytes received and the sender while
    /// the buffers hold them. Nil when nothing is waiting.
    private func receiveMessage<T>(flags: Int32, _ read: (inout msghdr, UnsafeRawBufferPointer, SocketAddress?) -> T) throws -> T? {
        var storage = sockaddr_storage()
        var vector = iovec(iov_base: buffer.baseAddress, iov_len: buffer.count)
        return try withUnsafeMutablePointer(to: &storage) { name in
            try withUnsafeMutablePointer(to: &vector) { vectorPointer in
                var message = msghdr()
                message.msg_name = UnsafeMutableRawPointer(name)
                message.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
                message.msg_iov = vectorPointer
                message.msg_iovlen = 1
                message.msg_control = control.baseAddress
                message.msg_controllen = control.count
                guard case .processed(let length) = try Socket.receiveMessage(fd, &message, flags: flags) else {
                    return nil
                }
                let received = UnsafeRawBufferPointer(rebasing: buffer[0..<min(length, buffer.count)])
                return read(&message, received, SocketAddress(storage: name.pointee))
            }
        }
    }

    /// The kernel's receive time (SCM_TIMESTAMPNS) in a received message, as CLOCK_REALTIME nanoseconds.
    private func kernelTimestamp(_ message: inout msghdr) -> Int64? {
        var header = clinux_cmsg_firsthdr(&message)
        while let current = header {
            if current.pointee.cmsg_level == SOL_SOCKET, current.pointee.cmsg_type == clinux_so_timestampns(),
               let data = clinux_cmsg_data(current) {
                let spec = UnsafeRawPointer(data).loadUnaligned(as: timespec.self)
                return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
            }
            header = clinux_cmsg_nxthdr(&message, current)
        }
        return nil
    }

    /// Reads the sock_extended_err of one error-queue message; nil if it is not an ICMP error about an echo.
    private func queuedError(_ message: inout msghdr, payload: UnsafeRawBufferPointer) -> QueuedError? {
        guard payload.count >= 8 else { return nil }
        var header = clinux_cmsg_firsthdr(&message)
        while let current = header {
            let isV4 = current.pointee.cmsg_level == IPPROTO_IP && current.pointee.cmsg_type == clinux_ip_recverr()
            let isV6 = current.pointee.cmsg_level == IPPROTO_IPV6 && current.pointee.cmsg_type == clinux_ipv6_recverr()
            if isV4 || isV6, let data = clinux_cmsg_data(current) {
                let errorPointer = UnsafeMutableRawPointer(data).assumingMemoryBound(to: sock_extended_err.self)
                let error = errorPointer.pointee
                guard error.ee_origin == SO_EE_ORIGIN_ICMP || error.ee_origin == SO_EE_ORIGIN_ICMP6 else { return nil }
                let kind = error.ee_origin == SO_EE_ORIGIN_ICMP
                    ? ICMPErrorKind.v4(type: error.ee_type, code: error.ee_code)
                    : ICMPErrorKind.v6(type: error.ee_type, code: error.ee_code)
                var reporter: SocketAddress?
                if let offender = clinux_ee_offender(errorPointer) {
                    var stored = sockaddr_storage()
                    let size = offender.pointee.sa_family == sa_family_t(AF_INET6)
                        ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size
                    withUnsafeMutableBytes(of: &stored) { $0.copyMemory(from: UnsafeRawBufferPointer(start: offender, count: size)) }
                    reporter = SocketAddress(storage: stored)
                }
                return QueuedError(kind: kind, sequence: ICMPPacket.word(payload, 6), reporter: reporter)
            }
            header = clinux_cmsg_nxthdr(&message, current)
        }
        return nil
    }
}
