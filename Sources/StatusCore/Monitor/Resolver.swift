// DNS look-ups for the monitor, on their own queue so a slow resolver never delays a ping timer.
import Dispatch

/// Resolves host names off the timer queue. Look-ups of different names run side by side, a few at a time.
public final class Resolver: @unchecked Sendable {
    private let queue = DispatchQueue(label: "status.resolver", attributes: .concurrent)
    private let slots = DispatchSemaphore(value: 4)

    public init() {}

    /// Resolves `name` and calls `completion` on `callbackQueue` with the first address or the failure.
    public func resolve(_ name: String, on callbackQueue: DispatchQueue,
                        completion: @escaping (Result<SocketAddress, ResolutionError>) -> Void) {
        queue.async { [slots] in
            slots.wait()
            let result: Result<SocketAddress, ResolutionError>
            do {
                let addresses = try AddressResolution.resolve(name)
                if let first = addresses.first {
                    result = .success(first)
                } else {
                    result = .failure(ResolutionError(name: name, code: 0, reason: "no address"))
                }
            } catch let error as ResolutionError {
                result = .failure(error)
            } catch {
                result = .failure(ResolutionError(name: name, code: 0, reason: "\(error)"))
            }
            slots.signal()
            callbackQueue.async { completion(result) }
        }
    }
}
