// DNS look-ups on their own queue, so a slow resolver never delays a ping timer or an event loop.
import Dispatch

/// Resolves host names off the timer queue. Look-ups of different names run side by side, a few at a time.
package final class Resolver: Sendable {
    private let queue = DispatchQueue(label: "status.resolver", attributes: .concurrent)
    private let slots = DispatchSemaphore(value: 4)

    package init() {}

    /// Resolves `name` and calls `completion` (on the resolver's queue: hop to your own) with the first address or
    /// the failure.
    package func resolve(_ name: String, completion: @escaping @Sendable (Result<SocketAddress, ResolutionError>) -> Void) {
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
            completion(result)
        }
    }
}
