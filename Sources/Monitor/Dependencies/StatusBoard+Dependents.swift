// The hosts below a host on the board, by the parents each host was given: what a notification the probes'
// consensus sends names as `dependents`, as the monitor's own notifications do.
extension StatusBoard {
    /// Every watched host below `domain` (children, their children, …), nearest first; empty if it is not watched.
    package func dependents(of domain: String) -> [String] {
        let hosts = snapshot()
        let key = HostSpec.lookupKey(domain)
        guard let position = hosts.firstIndex(where: { HostSpec.lookupKey($0.domain) == key }) else { return [] }
        let graph = HostGraph(domains: hosts.map(\.domain), parents: hosts.map(\.parents))
        return graph.descendants(of: position).map { hosts[$0].domain }
    }
}
