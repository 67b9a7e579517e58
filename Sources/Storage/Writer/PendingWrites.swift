// What the store writer still has to write, in the order it was submitted: the registration first, then state
// changes (each with its journal sequence number when it was journaled), and batches of the checks' latest pings.
// Pure and not Sendable: the writer keeps it under its lock.
import Foundation

struct PendingWrites {
    enum Work: Sendable, CustomStringConvertible {
        /// Migrate, register the checks, read the ongoing incidents and the history: always first.
        case register
        /// Register the checks of domains a reload added (after the first registration, in order).
        case registerMore([String])
        case change(sequence: UInt64?, StateChange)
        /// Many checks' latest pings, by domain (queued by the writer itself from `performed`).
        case checks([String: CheckUpdate])

        var description: String {
            switch self {
            case .register: return "register"
            case .registerMore(let domains): return "register(\(domains.count))"
            case .change(_, let change): return "\(change)"
            case .checks(let updates): return "checks(\(updates.count))"
            }
        }
    }

    private(set) var queue: [Work]
    /// Each check's latest `performed` not yet queued, by domain.
    private var latest: [String: CheckUpdate] = [:]
    /// Journaled changes in `queue` (those an earlier run left included).
    private(set) var journaled: Int

    /// `recovered`: changes an earlier run left in the journal, written right after the registration.
    init(recovered: [(sequence: UInt64, change: StateChange)]) {
        queue = [.register] + recovered.map { .change(sequence: $0.sequence, $0.change) }
        journaled = recovered.count
    }

    /// Work not yet done (each check whose latest ping waits for the next batch counts once).
    var count: Int { queue.count + latest.count }

    var isEmpty: Bool { queue.isEmpty }

    var head: Work? { queue.first }

    /// A ping that changed nothing but `last_performed` replaces the check's remembered latest one; true when
    /// none was remembered before it (a batch is to be written after the batch interval).
    mutating func remember(_ domain: String, _ update: CheckUpdate) -> Bool {
        let first = latest.isEmpty
        latest[domain] = update
        return first
    }

    /// Queues work other than a change (a reload's registration).
    mutating func append(_ work: Work) {
        queue.append(work)
    }

    /// Queues a change; a flip is newer than the check's remembered ping, which is dropped.
    mutating func append(_ change: StateChange, sequence: UInt64?) {
        if case .flipped(let domain, _, _) = change { latest[domain] = nil }
        queue.append(.change(sequence: sequence, change))
        if sequence != nil { journaled += 1 }
    }

    /// Queues the remembered latest pings as one batch; false if there were none. While the database is down,
    /// batches waiting behind the head merge into one, newest ping per check, so an outage's queue stays as long
    /// as the host list.
    mutating func queueLatest() -> Bool {
        guard !latest.isEmpty else { return false }
        var updates = latest
        latest.removeAll(keepingCapacity: true)
        if queue.count >= 2, case .checks(let older)? = queue.last {
            for (domain, update) in older where updates[domain] == nil { updates[domain] = update }
            queue.removeLast()
        }
        queue.append(.checks(updates))
        return true
    }

    /// The head is written (or given up): the next one is due.
    mutating func removeHead() {
        guard let head = queue.first else { return }
        queue.removeFirst()
        if case .change(_?, _) = head { journaled -= 1 }
    }

    /// The domains that a queued incident or flip will change (so the database's word about them is not the
    /// newest there is).
    var domainsWithWaitingChanges: Set<String> {
        var touched: Set<String> = []
        for case .change(_, let change) in queue.dropFirst() {
            switch change {
            case .opened(let domain, _, _, _), .closed(let domain, _), .described(let domain, _), .flipped(let domain, _, _),
                 .classified(let domain, _, _):
                touched.insert(domain)
            default:
                break
            }
        }
        return touched
    }
}
