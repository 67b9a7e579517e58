// epoll and eventfd, wrapped once: the readiness backend the HTTP event loops are built on.
import Glibc
import CLinux

/// One epoll instance. Events carry a caller-chosen 64-bit token (e.g. slot index and generation).
public final class Epoll {
    public let fd: FileDescriptor
    private var events: [epoll_event]

    public init(maxEvents: Int = 256) throws {
        fd = FileDescriptor(try syscall("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) })
        events = Array(repeating: epoll_event(), count: maxEvents)
    }

    public func add(_ target: FileDescriptor, events mask: UInt32, token: UInt64) throws {
        try control(EPOLL_CTL_ADD, target, mask, token, "epoll_ctl(ADD)")
    }

    public func modify(_ target: FileDescriptor, events mask: UInt32, token: UInt64) throws {
        try control(EPOLL_CTL_MOD, target, mask, token, "epoll_ctl(MOD)")
    }

    public func remove(_ target: FileDescriptor) throws {
        var event = epoll_event()
        try syscall("epoll_ctl(DEL)") { epoll_ctl(fd.rawValue, EPOLL_CTL_DEL, target.rawValue, &event) }
    }

    private func control(_ op: Int32, _ target: FileDescriptor, _ mask: UInt32, _ token: UInt64, _ name: String) throws {
        var event = epoll_event()
        event.events = mask
        event.data.u64 = token
        try syscall(name) { epoll_ctl(fd.rawValue, op, target.rawValue, &event) }
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) and calls `body(token, events)` for each ready descriptor.
    /// EINTR returns with no events; the caller recomputes its timeout from the monotonic clock.
    public func wait(timeoutMilliseconds: Int32, _ body: (UInt64, UInt32) -> Void) throws {
        let count = events.withUnsafeMutableBufferPointer { buffer in
            epoll_wait(fd.rawValue, buffer.baseAddress, Int32(buffer.count), timeoutMilliseconds)
        }
        if count < 0 {
            if errno == EINTR { return }
            throw SystemError("epoll_wait")
        }
        for index in 0..<Int(count) {
            body(events[index].data.u64, events[index].events)
        }
    }
}

/// An eventfd used to wake an event loop from another thread.
public final class EventFD {
    public let fd: FileDescriptor

    public init() throws {
        fd = FileDescriptor(try syscall("eventfd") { eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC)) })
    }

    /// Wakes the loop; never blocks (a full counter already means "awake").
    public func signal() {
        var one: UInt64 = 1
        _ = Glibc.write(fd.rawValue, &one, MemoryLayout<UInt64>.size)
    }

    /// Clears pending wake-ups.
    public func drain() {
        var value: UInt64 = 0
        _ = Glibc.read(fd.rawValue, &value, MemoryLayout<UInt64>.size)
    }
}
