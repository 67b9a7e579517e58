// What a monitor needs from a pinger: the real `Pinger`, or a scripted one in unit tests. A pinger lives on one
// queue (the ping queue) and is used only there, so it is not Sendable.
import Platform

package protocol Pinging: AnyObject {
    /// Sends one echo to `address`; `resultHandler` gets `tag` and the result on the ping queue exactly once, and
    /// never from inside this call. It times out after `timeoutNanoseconds` (0: the pinger's own timeout).
    func ping(_ address: SocketAddress, tag: PingTag, timeoutNanoseconds: UInt64)
    /// Called on the ping queue with each ping's tag and result.
    var resultHandler: ((PingTag, PingResult) -> Void)? { get set }
    /// Called on the ping queue when an ICMP error explains a ping that already timed out.
    var lateErrorHandler: ((PingTag, PingFailure) -> Void)? { get set }
    /// What it sent and received so far (both address families).
    var totals: PingerCounters { get }
}

extension Pinging {
    /// A ping with the pinger's own timeout.
    package func ping(_ address: SocketAddress, tag: PingTag) { ping(address, tag: tag, timeoutNanoseconds: 0) }
}
