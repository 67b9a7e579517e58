// Plain-words names of the ICMP and ICMPv6 errors a ping can meet, for incident descriptions.

package enum ICMPErrorKind {
    /// ICMPv4 type 3 (destination unreachable), 11 (time exceeded), 12 (parameter problem).
    package static func v4(type: UInt8, code: UInt8) -> String {
        switch (type, code) {
        case (3, 0): return "network unreachable"
        case (3, 1): return "host unreachable"
        case (3, 2): return "protocol unreachable"
        case (3, 3): return "port unreachable"
        case (3, 4): return "fragmentation needed"
        case (3, 5): return "source route failed"
        case (3, 6): return "destination network unknown"
        case (3, 7): return "destination host unknown"
        case (3, 9), (3, 10), (3, 13): return "communication administratively prohibited"
        case (3, 11): return "network unreachable for type of service"
        case (3, 12): return "host unreachable for type of service"
        case (3, 14): return "host precedence violation"
        case (3, 15): return "precedence cutoff in effect"
        case (3, _): return "destination unreachable (code \(code))"
        case (11, 0): return "time to live exceeded"
        case (11, _): return "fragment reassembly time exceeded"
        case (12, _): return "parameter problem"
        default: return "ICMP error type \(type) code \(code)"
        }
    }

    /// ICMPv6 type 1 (destination unreachable), 2 (packet too big), 3 (time exceeded), 4 (parameter problem).
    package static func v6(type: UInt8, code: UInt8) -> String {
        switch (type, code) {
        case (1, 0): return "no route to destination"
        case (1, 1): return "communication administratively prohibited"
        case (1, 2): return "beyond scope of source address"
        case (1, 3): return "address unreachable"
        case (1, 4): return "port unreachable"
        case (1, 5): return "source address failed ingress/egress policy"
        case (1, 6): return "reject route to destination"
        case (1, _): return "destination unreachable (code \(code))"
        case (2, _): return "packet too big"
        case (3, 0): return "hop limit exceeded"
        case (3, _): return "fragment reassembly time exceeded"
        case (4, _): return "parameter problem"
        default: return "ICMPv6 error type \(type) code \(code)"
        }
    }
}
