// Host names looked up on the resolver's queue and the answers brought back to the ping queue: a name that
// resolved keeps its address through a failed look-up (a DNS hiccup does not take the host down).
import Platform

extension MonitorCore {
    /// Looks the host's name up on the resolver's queue, comes back here with the answer, then runs `next`.
    func resolve(_ host: HostRuntime, then next: @escaping () -> Void) {
        guard let name = host.name else { return next() }
        host.resolving = true
        host.afterResolution.append(next)
        let position = host.position
        resolver.resolve(name) { [weak home] result in
            home?.async { core in core.resolved(position, result) }
        }
    }

    private func resolved(_ position: Int, _ result: Result<SocketAddress, ResolutionError>) {
        let host = hosts[position]
        host.resolving = false
        host.resolvedAt = .now()
        switch result {
        case .success(let address):
            if address != host.address {
                logger.info("resolved", ["host": host.spec.domain, "address": address.ipString])
            }
            host.address = address
            host.resolutionError = nil
        case .failure(let error):
            if host.resolutionError == nil {
                logger.warning("resolve_failed", ["host": host.spec.domain, "reason": error.reason,
                                                  "keeping": host.address?.ipString ?? "none"])
            }
            host.resolutionError = error
        }
        let waiting = host.afterResolution
        host.afterResolution.removeAll()
        for next in waiting { next() }
    }
}
