// The socket options an ICMP socket needs, wrapped once: receive buffer size, kernel receive timestamps, the raw
// sockets' type filters and echo-identifier filter, IPv4's Don't Fragment, and the datagram sockets' error queue.
import CLinux
import Glibc

extension Socket {
    /// Room for `bytes` of received datagrams: SO_RCVBUFFORCE when permitted, else SO_RCVBUF up to
    /// net.core.rmem_max. Best effort: the kernel's default stays if both are refused.
    package static func setReceiveBuffer(_ fd: FileDescriptor, bytes: Int) {
        let size = Int32(clamping: bytes)
        if (try? setOption(fd, level: SOL_SOCKET, name: SO_RCVBUFFORCE, value: size, label: "SO_RCVBUFFORCE")) == nil {
            try? setOption(fd, level: SOL_SOCKET, name: SO_RCVBUF, value: size, label: "SO_RCVBUF")
        }
    }

    /// Every received datagram carries the CLOCK_REALTIME time the kernel received it (SO_TIMESTAMPNS).
    package static func enableReceiveTimestamps(_ fd: FileDescriptor) throws {
        try setOption(fd, level: SOL_SOCKET, name: clinux_so_timestampns(), value: Int32(1), label: "SO_TIMESTAMPNS")
    }

    /// A raw IPv4 ICMP socket receives only these ICMP types (ICMP_FILTER).
    package static func passOnlyICMPv4(_ fd: FileDescriptor, types: [UInt8]) throws {
        var wanted: UInt32 = 0
        for type in types where type < 32 { wanted |= 1 << UInt32(type) }
        try setOption(fd, level: Int32(SOL_RAW), name: CLINUX_ICMP_FILTER, value: clinux_icmp_filter(data: ~wanted),
                      label: "ICMP_FILTER")
    }

    /// A raw ICMPv6 socket receives only these ICMPv6 types (ICMP6_FILTER).
    package static func passOnlyICMPv6(_ fd: FileDescriptor, types: [Int32]) throws {
        var filter = icmp6_filter()
        types.withUnsafeBufferPointer { clinux_icmp6_filter_pass_only(&filter, $0.baseAddress, Int32($0.count)) }
        try setOption(fd, level: Int32(IPPROTO_ICMPV6), name: ICMP6_FILTER, value: filter, label: "ICMP6_FILTER")
    }

    /// A raw ICMP socket sees every ICMP packet the machine receives: the kernel drops the echo replies to other
    /// processes' pings (another identifier) before they wake the pinger (SO_ATTACH_FILTER). Errors still pass:
    /// the identifier they quote is checked when they are read.
    package static func passOnlyEchoReplies(_ fd: FileDescriptor, identifier: UInt16, ipv6: Bool) throws {
        try syscall("setsockopt(SO_ATTACH_FILTER)") { clinux_attach_echo_filter(fd.rawValue, identifier, ipv6 ? 1 : 0) }
    }

    /// IPv4 datagrams this socket sends carry Don't Fragment (IP_MTU_DISCOVER = IP_PMTUDISC_DO). For an echo
    /// request, far below any link's MTU, nothing else changes; but Linux then leaves the IP id 0 instead of
    /// drawing it from its hashed, randomised id generator, which was 6 % of the ping thread's CPU.
    package static func setDontFragment(_ fd: FileDescriptor) throws {
        try setOption(fd, level: Int32(IPPROTO_IP), name: IP_MTU_DISCOVER, value: Int32(IP_PMTUDISC_DO),
                      label: "IP_MTU_DISCOVER")
    }

    /// ICMP errors about what a datagram socket sent are queued on its error queue (IP_RECVERR / IPV6_RECVERR).
    package static func enableErrorQueue(_ fd: FileDescriptor, ipv6: Bool) throws {
        if ipv6 {
            try setOption(fd, level: Int32(IPPROTO_IPV6), name: clinux_ipv6_recverr(), value: Int32(1), label: "IPV6_RECVERR")
        } else {
            try setOption(fd, level: Int32(IPPROTO_IP), name: clinux_ip_recverr(), value: Int32(1), label: "IP_RECVERR")
        }
    }
}
