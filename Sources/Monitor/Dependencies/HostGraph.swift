// The hosts' parent links as a graph over positions: parents, children, everything below a host, and the first
// parent cycle in file order (the host file refuses one). Pure; built again whenever the set of hosts changes.

package struct HostGraph: Sendable, Equatable {
    /// Each host's parents (positions), in the order the file names them.
    package private(set) var parents: [[Int]]
    /// Each host's children (positions), in file order.
    package private(set) var children: [[Int]]

    /// `parents[i]`: the positions host `i` names as parents.
    package init(parents: [[Int]]) {
        self.parents = parents
        var children = Array(repeating: [Int](), count: parents.count)
        for (child, list) in parents.enumerated() {
            for parent in list where children.indices.contains(parent) { children[parent].append(child) }
        }
        self.children = children
    }

    /// Builds the graph of `specs` (a parent is named by its address; unknown names and `excluded` positions
    /// are left out: the host file has refused unknown names already).
    package init(_ specs: [HostSpec], excluded: (Int) -> Bool = { _ in false }) {
        self.init(domains: specs.map(\.domain), parents: specs.map(\.attributes.parents), excluded: excluded)
    }

    /// Builds the graph of hosts named by address: `parents[i]`, the addresses host `i` names as parents (unknown
    /// ones and `excluded` positions are left out).
    package init(domains: [String], parents: [[String]], excluded: (Int) -> Bool = { _ in false }) {
        var index: [String: Int] = [:]
        for (position, domain) in domains.enumerated() where !excluded(position) { index[HostSpec.lookupKey(domain)] = position }
        self.init(parents: parents.enumerated().map { position, names in
            excluded(position) ? [] : names.compactMap { index[HostSpec.lookupKey($0)] }
        })
    }

    /// Every host below `position` (children, their children, …), each once, nearest first.
    package func descendants(of position: Int) -> [Int] {
        var seen: Set<Int> = [position]
        var result: [Int] = []
        var next = 0
        var queue = children[position]
        while next < queue.count {
            let host = queue[next]
            next += 1
            guard seen.insert(host).inserted else { continue }
            result.append(host)
            queue.append(contentsOf: children[host])
        }
        return result
    }

    /// The first cycle found following parents from each host in file order: the hosts on it, from the one
    /// whose parent link closes it back to it. Nil when there is none.
    package func firstCycle() -> [Int]? {
        enum Mark { case fresh, onPath, done }
        var marks = Array(repeating: Mark.fresh, count: parents.count)
        for start in parents.indices where marks[start] == .fresh {
            // An explicit stack: a 10,000-host chain must not overflow the thread's stack.
            var path: [(host: Int, next: Int)] = [(start, 0)]
            marks[start] = .onPath
            while let top = path.last {
                if top.next == parents[top.host].count {
                    marks[top.host] = .done
                    path.removeLast()
                    continue
                }
                path[path.count - 1].next += 1
                let parent = parents[top.host][top.next]
                switch marks[parent] {
                case .onPath:
                    let hosts = path.map(\.host)
                    guard let from = hosts.firstIndex(of: parent) else { return [parent] }
                    return Array(hosts[from...])
                case .fresh:
                    marks[parent] = .onPath
                    path.append((parent, 0))
                case .done:
                    break
                }
            }
        }
        return nil
    }
}
