// What the monitor is told to do: which hosts, and the defaults for how often, how long a ping waits and the
// thresholds; each host's own settings are those defaults with what the host file set for it.
import Encoding

package struct MonitorSettings: Equatable, Sendable {
    package var hosts: [HostSpec]
    package var interval: ConfigDuration
    package var timeout: ConfigDuration
    package var failureThreshold: Int
    package var recoveryThreshold: Int

    package init(hosts: [HostSpec], interval: ConfigDuration, timeout: ConfigDuration, failureThreshold: Int,
                 recoveryThreshold: Int) {
        self.hosts = hosts
        self.interval = interval
        self.timeout = timeout
        self.failureThreshold = failureThreshold
        self.recoveryThreshold = recoveryThreshold
    }

    /// The settings one host runs with.
    package func settings(for spec: HostSpec) -> HostSettings {
        let attributes = spec.attributes
        let interval = attributes.interval ?? self.interval
        return HostSettings(interval: interval, timeout: attributes.timeout ?? min(timeout, interval),
                            failureThreshold: attributes.failureThreshold ?? failureThreshold,
                            recoveryThreshold: attributes.recoveryThreshold ?? recoveryThreshold)
    }
}

/// One host's interval, timeout and thresholds.
package struct HostSettings: Equatable, Sendable {
    package var interval: ConfigDuration
    package var timeout: ConfigDuration
    package var failureThreshold: Int
    package var recoveryThreshold: Int

    /// The longest a failing host takes to be declared down: its threshold's pings, the last one's timeout.
    package var detectionBoundNanoseconds: UInt64 {
        UInt64(failureThreshold) * interval.nanoseconds + timeout.nanoseconds
    }
}
