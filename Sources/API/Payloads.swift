// The contract's JSON payloads: a check and an incident, and arrays of them, written as bytes. Field names and
// types are fixed; added fields (rtt_ms, loss_pct, uptime, down_since, duration_s, name, group, parents, state,
// behind, parent_incident_id, maintenance) stand beside them.
import Encoding
import Foundation
import Monitor
import Storage
import Uptime

/// One host as the API shows it: its state on the board and its uptime figures as of now.
package struct CheckView: Sendable {
    package var host: HostStatus
    package var figures: HostFigures

    package init(host: HostStatus, figures: HostFigures = HostFigures()) {
        self.host = host
        self.figures = figures
    }
}

package enum Payloads {
    /// `{"id":1,"domain":"nas.lan","last_performed":"…Z"|null,"status":true,"rtt_ms":0.42|null,"loss_pct":1.563|null,
    /// "uptime_24h_pct":99.9|null,"uptime_7d_pct":…,"uptime_30d_pct":…,"down_since":"…Z"|null,"down_for_s":12.5|null,
    /// "name":"NAS","group":"storage"|null,"parents":["switch.lan"],"state":"up","behind":"router.lan"|null}`
    package static func check(_ view: CheckView, into json: inout JSONBuffer) {
        let host = view.host
        let figures = view.figures
        json.raw("{\"id\":")
        json.integer(host.id)
        json.raw(",\"domain\":")
        json.string(host.domain)
        json.raw(",\"last_performed\":")
        json.time(host.lastPerformed)
        json.raw(",\"status\":")
        json.bool(host.reportedUp)
        json.raw(",\"rtt_ms\":")
        json.fixed3(host.lastRTTMilliseconds)
        json.raw(",\"loss_pct\":")
        json.fixed3(host.recent.lossPercent)
        json.raw(",\"uptime_24h_pct\":")
        json.fixed3(figures.uptime24h)
        json.raw(",\"uptime_7d_pct\":")
        json.fixed3(figures.uptime7d)
        json.raw(",\"uptime_30d_pct\":")
        json.fixed3(figures.uptime30d)
        json.raw(",\"down_since\":")
        json.time(host.reportedDownSince)
        json.raw(",\"down_for_s\":")
        json.fixed3(host.reportedUp ? nil : figures.downForSeconds)
        json.raw(",\"name\":")
        json.string(host.name)
        // A host with no group and no parents (every host of MONITORING_HOSTS) ends in one literal.
        if host.group == nil, host.parents.isEmpty, host.state != .unreachable, host.cluster == nil {
            switch host.state {
            case .up: json.raw(",\"group\":null,\"parents\":[],\"state\":\"up\",\"behind\":null}")
            case .down: json.raw(",\"group\":null,\"parents\":[],\"state\":\"down\",\"behind\":null}")
            case .pending: json.raw(",\"group\":null,\"parents\":[],\"state\":\"pending\",\"behind\":null}")
            case .maintenance: json.raw(",\"group\":null,\"parents\":[],\"state\":\"maintenance\",\"behind\":null}")
            case .unreachable: break
            }
            return
        }
        json.raw(",\"group\":")
        if let group = host.group { json.string(group) } else { json.raw("null") }
        json.raw(",\"parents\":[")
        for (index, parent) in host.parents.enumerated() {
            if index > 0 { json.raw(",") }
            json.string(parent)
        }
        json.raw("],\"state\":")
        json.string(host.reportedState.rawValue)
        json.raw(",\"behind\":")
        if host.reportedState == .unreachable, let behind = host.behind { json.string(behind) } else { json.raw("null") }
        if let cluster = host.cluster { probes(cluster, into: &json) }
        json.raw("}")
    }

    /// `,"view":"consensus","probes":[{"probe":"home","status":false,"last_performed":"…Z","rtt_ms":null,
    /// "loss_pct":100.000},…]`: only for a host other live probes watch too.
    static func probes(_ cluster: ClusterOverlay, into json: inout JSONBuffer) {
        json.raw(",\"view\":")
        json.string(cluster.view.rawValue)
        json.raw(",\"probes\":[")
        for (index, view) in cluster.probes.enumerated() {
            if index > 0 { json.raw(",") }
            json.raw("{\"probe\":")
            json.string(view.probe)
            json.raw(",\"status\":")
            json.bool(!view.isDown)
            json.raw(",\"last_performed\":")
            json.time(view.lastPerformed)
            json.raw(",\"rtt_ms\":")
            json.fixed3(view.rttMilliseconds)
            json.raw(",\"loss_pct\":")
            json.fixed3(view.lossPercent)
            json.raw("}")
        }
        json.raw("]")
    }

    /// `{"name":"home","live":true,"last_seen":"…Z","hosts":12,"first_seen":"…Z","version":"1.0.0","interval_s":30}`
    package static func probe(_ probe: ProbeRecord, into json: inout JSONBuffer) {
        json.raw("{\"name\":")
        json.string(probe.name)
        json.raw(",\"live\":")
        json.bool(probe.live)
        json.raw(",\"last_seen\":")
        json.time(probe.lastSeen)
        json.raw(",\"hosts\":")
        json.integer(probe.hosts)
        json.raw(",\"first_seen\":")
        json.time(probe.firstSeen)
        json.raw(",\"version\":")
        json.string(probe.version)
        json.raw(",\"interval_s\":")
        json.fixed3(Double(probe.intervalMilliseconds) / 1000)
        json.raw("}")
    }

    /// An incident with its `duration_s` as of `now` (an ongoing incident's lasts until now).
    package static func incident(now: Date) -> (Incident, inout JSONBuffer) -> Void {
        { incident, json in
            incidentFields(incident, into: &json)
            json.raw(",\"duration_s\":")
            json.fixed3(max(0, (incident.upDetection ?? now).timeIntervalSince(incident.downDetection)))
            json.raw("}")
        }
    }

    /// `{"id":7,"check_id":1,"description":"…","down_detection":"…Z","up_detection":"…Z"|null,
    /// "parent_incident_id":3|null,"maintenance":false}`
    package static func incident(_ incident: Incident, into json: inout JSONBuffer) {
        incidentFields(incident, into: &json)
        json.raw("}")
    }

    /// An incident's object without its closing brace.
    private static func incidentFields(_ incident: Incident, into json: inout JSONBuffer) {
        json.raw("{\"id\":")
        json.integer(incident.id)
        json.raw(",\"check_id\":")
        json.integer(incident.checkID)
        json.raw(",\"description\":")
        json.string(incident.description)
        json.raw(",\"down_detection\":")
        json.time(incident.downDetection)
        json.raw(",\"up_detection\":")
        json.time(incident.upDetection)
        json.raw(",\"parent_incident_id\":")
        if let parent = incident.parentIncidentID { json.integer(parent) } else { json.raw("null") }
        json.raw(",\"maintenance\":")
        json.bool(incident.maintenance)
    }

    /// One payload as bytes.
    package static func one<T>(_ item: T, _ encode: (T, inout JSONBuffer) -> Void) -> [UInt8] {
        var json = JSONBuffer(capacity: 192)
        encode(item, &json)
        return json.bytes
    }

    /// A JSON array of payloads as bytes; `sizeHint` is the expected bytes per item.
    package static func array<T>(_ items: [T], sizeHint: Int = 160, _ encode: (T, inout JSONBuffer) -> Void) -> [UInt8] {
        var json = JSONBuffer(capacity: 2 + items.count * sizeHint)
        json.raw("[")
        for (index, item) in items.enumerated() {
            if index > 0 { json.raw(",") }
            encode(item, &json)
        }
        json.raw("]")
        return json.bytes
    }
}
