// The hosts below a host on the board, by the parents each host was given: what a notification the probes'
// consensus sends names as `dependents`, as the monitor's own notifications do.
extension StatusBoard {
    /// Every watched host below `domain` (children, their children, …), nearest first; empty if it is not watched.
    package func dependents(of domain: String) -> [String] {
        let hosts = snapshot()
        var index: [String: Int] = [:]
        for (position, host) in hosts.enumerated() where index[HostSpec.lookupKey(host.domain)] == nil {
            index[HostSpec.lookupKey(host.domain)] = position
        }
        guard let position = index[HostSpec.lookupKey(domain)] else { return [] }
        let graph = HostGraph(parents: hosts.map { $0.parents.compactMap { index[HostSpec.lookupKey($0)] } })
        return graph.descendants(of: position).map { hosts[$0].domain }
    }
}
