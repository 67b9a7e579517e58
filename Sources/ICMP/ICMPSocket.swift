// One ICMP socket of one address family, shared by every host: raw if permitted, else the unprivileged
// datagram ("ping") socket. Sends echo requests; reads replies and errors with the kernel's receive time; in
// datagram mode ICMP errors come through the socket's error queue (IP_RECVERR) instead of as packets.
// Used on the ping queue only (not Sendable).
import Glibc
import Platform

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
    private let reader = MessageReader()

    /// Opens raw, then datagram on EPERM/EACCES. Throws when neither can be opened. `receiveBufferBytes`: room
    /// for the replies of one burst.
    /// `identifier`: in raw mode, echo replies with another identifier are dropped by the kernel.
    init(family: ICMPFamily, receiveBufferBytes: Int = 1 << 20, identifier: UInt16? = nil) throws {
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
        Socket.setReceiveBuffer(fd, bytes: receiveBufferBytes)
        try Socket.enableReceiveTimestamps(fd)
        if family == .v4 { try Socket.setDontFragment(fd) }
        switch (family, mode) {
        case (.v4, .raw):
            // Only echo reply, destination unreachable, time exceeded and parameter problem.
            try Socket.passOnlyICMPv4(fd, types: [0, 3, 11, 12])
            if let identifier { try Socket.passOnlyEchoReplies(fd, identifier: identifier, ipv6: false) }
        case (.v6, .raw):
            // Only echo reply and the error types (destination unreachable, packet too big, time exceeded, parameter problem).
            try Socket.passOnlyICMPv6(fd, types: [129, 1, 2, 3, 4])
            if let identifier { try Socket.passOnlyEchoReplies(fd, identifier: identifier, ipv6: true) }
        case (_, .datagram):
            try Socket.enableErrorQueue(fd, ipv6: family == .v6)
        }
    }

    /// IPv4 raw reads start with the IP header.
    var readsIncludeIPHeader: Bool { family == .v4 && mode == .raw }

    func send(_ packet: [UInt8], to address: SocketAddress) throws -> IOResult<Int> {
        try packet.withUnsafeBytes { try Socket.send(fd, $0, to: address) }
    }

    /// Reads one datagram and hands it to `read` while the receive buffer holds it: its bytes, its sender, and
    /// the CLOCK_REALTIME nanoseconds at which the kernel received it, if given. False when nothing is waiting.
    /// A pending socket error (datagram mode reports ICMP errors this way too) is thrown as `SystemError`; the
    /// caller then drains the error queue.
    func receive(_ read: (UnsafeRawBufferPointer, SocketAddress?, Int64?) -> Void) throws -> Bool {
        try reader.receive(fd) { bytes, info in read(bytes, info.source, info.kernelRealtimeNanoseconds) }
    }

    /// Reads error-queue entries (datagram mode) until one is an ICMP error about an echo; nil when it is empty.
    func receiveQueuedError() -> QueuedError? {
        while true {
            var found: QueuedError?
            let read = (try? reader.receive(fd, errorQueue: true) { payload, info in
                guard payload.count >= 8, let error = info.queuedError else { return }
                let kind = error.isICMPv6 ? ICMPErrorKind.v6(type: error.type, code: error.code)
                                          : ICMPErrorKind.v4(type: error.type, code: error.code)
                found = QueuedError(kind: kind, sequence: ICMPPacket.word(payload, 6), reporter: error.reporter)
            }) ?? false
            guard read else { return nil }
            if let found { return found }
        }
    }
}
