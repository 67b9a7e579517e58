// What the monitor is told to do: which hosts, how often, how long a ping waits, and the thresholds.
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
}
