// What the monitor emitted, for its tests to read back.
import Synchronization
@testable import Monitor

/// Every event the monitor emitted, in order.
final class EventLog: MonitorObserver {
    private let events = Mutex<[MonitorEvent]>([])

    func monitor(_ event: MonitorEvent) { events.withLock { $0.append(event) } }

    var all: [MonitorEvent] { events.withLock { $0 } }

    var opened: [IncidentOpened] { all.compactMap { if case .incidentOpened(let o) = $0 { return o }; return nil } }
    var closed: [IncidentClosed] { all.compactMap { if case .incidentClosed(let c) = $0 { return c }; return nil } }
    var adopted: [IncidentOpened] { all.compactMap { if case .incidentAdopted(let a) = $0 { return a }; return nil } }
    var described: [IncidentDescribed] { all.compactMap { if case .incidentDescribed(let d) = $0 { return d }; return nil } }
}
