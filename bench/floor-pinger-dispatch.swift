// bench/floor-pinger-dispatch.swift: a second floor for bench/pinger, the least a program can do to ping N IPv4
// targets once per interval in the shape the design card fixes for the daemon's pinger: a Dispatch timer per target
// and the raw socket watched by a Dispatch read source, both on the main queue (the daemon's ping queue). Same
// slots as bench/floor-pinger.c and the daemon (Sources/Monitor/MonitorSchedule.swift): the timers of one slot share
// a deadline. No timeouts, no state per target beyond its address, no output until SIGINT/SIGTERM, when it prints
// "sent S received R". Against bench/floor-pinger.c it shows what the design's Dispatch machinery costs by itself;
// against fping, what the best daemon of that design could reach.
//
//   floor-pinger-dispatch INTERVAL_MS TARGET_FILE    (one IPv4 address per line)
import Dispatch
import Glibc

func fail(_ message: String) -> Never {
    fputs("floor-pinger-dispatch: \(message)\n", stderr)
    exit(1)
}

func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt16 {
    var sum: UInt32 = 0
    var index = 0
    while index + 1 < bytes.count {
        sum += UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8
        index += 2
    }
    if index < bytes.count { sum += UInt32(bytes[index]) }
    while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
    return ~UInt16(truncatingIfNeeded: sum)
}

let arguments = CommandLine.arguments
guard arguments.count == 3, let intervalMilliseconds = UInt64(arguments[1]), intervalMilliseconds > 0 else {
    fail("usage: floor-pinger-dispatch INTERVAL_MS TARGET_FILE")
}
guard let file = fopen(arguments[2], "r") else {
    fail("cannot open \(arguments[2]): \(String(cString: strerror(errno)))")
}
var targets: [sockaddr_in] = []
var line = [CChar](repeating: 0, count: 64)
while fgets(&line, Int32(line.count), file) != nil {
    let text = String(cString: line).split(whereSeparator: { $0 == "\n" || $0 == "\r" }).first.map(String.init) ?? ""
    if text.isEmpty { continue }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    guard inet_pton(AF_INET, text, &address.sin_addr) == 1 else { fail("bad address \(text)") }
    targets.append(address)
}
fclose(file)
guard !targets.isEmpty else { fail("nothing to ping") }

let fd = socket(AF_INET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                Int32(IPPROTO_ICMP))
guard fd >= 0 else { fail("socket(AF_INET, SOCK_RAW, IPPROTO_ICMP): \(String(cString: strerror(errno)))") }
var filter: UInt32 = ~(1 << 0)  // ICMP_FILTER: echo replies only
setsockopt(fd, Int32(SOL_RAW), 1, &filter, socklen_t(MemoryLayout<UInt32>.size))
var bufferSize: Int32 = 4 << 20
setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufferSize, socklen_t(MemoryLayout<Int32>.size))

let identifier = UInt16(truncatingIfNeeded: getpid())
var sent: UInt64 = 0
var received: UInt64 = 0
var sequence: UInt16 = 0
var packet = [UInt8](repeating: 0, count: 64)

func send(to index: Int) {
    sequence &+= 1
    packet.withUnsafeMutableBytes { bytes in
        for i in 0..<bytes.count { bytes[i] = 0 }
        bytes[0] = 8  // ICMP_ECHO
        bytes[4] = UInt8(identifier >> 8)
        bytes[5] = UInt8(identifier & 0xff)
        bytes[6] = UInt8(sequence >> 8)
        bytes[7] = UInt8(sequence & 0xff)
        let sum = checksum(UnsafeRawBufferPointer(bytes))
        bytes[2] = UInt8(sum & 0xff)
        bytes[3] = UInt8(sum >> 8)
        var address = targets[index]
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result > 0 { sent += 1 }
    }
}

var reply = [UInt8](repeating: 0, count: 1500)
let reader = DispatchSource.makeReadSource(fileDescriptor: fd, queue: .main)
reader.setEventHandler {
    reply.withUnsafeMutableBytes { bytes in
        while true {
            let length = recv(fd, bytes.baseAddress, bytes.count, 0)
            if length <= 0 { break }
            let header = Int(bytes[0] & 0x0f) * 4
            guard length >= header + 8 else { continue }
            let replyIdentifier = UInt16(bytes[header + 4]) << 8 | UInt16(bytes[header + 5])
            if bytes[header] == 0, replyIdentifier == identifier { received += 1 }
        }
    }
}
reader.resume()

// As MonitorSchedule: slots = max(1, min(count / 64, interval / 10 ms)); target i sits in slot i * slots / count.
let interval = intervalMilliseconds * 1_000_000
let count = UInt64(targets.count)
let slots = max(1, min(count / 64, interval / 10_000_000))
let start = DispatchTime.now()
var timers: [DispatchSourceTimer] = []
for index in targets.indices {
    let slot = UInt64(index) * slots / count
    let timer = DispatchSource.makeTimerSource(queue: .main)
    // The daemon's leeway (MonitorCore+Ticks.swift): a hundredth of the interval, at most 5 ms.
    timer.schedule(deadline: start + .nanoseconds(Int(interval * slot / slots)), repeating: .nanoseconds(Int(interval)),
                   leeway: .nanoseconds(Int(min(interval / 100, 5_000_000))))
    timer.setEventHandler { send(to: index) }
    timer.resume()
    timers.append(timer)
}

var signals: [DispatchSourceSignal] = []
for number in [SIGINT, SIGTERM] {
    signal(number, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
    source.setEventHandler {
        print("sent \(sent) received \(received)")
        fflush(stdout)
        exit(0)
    }
    source.resume()
    signals.append(source)
}
dispatchMain()
