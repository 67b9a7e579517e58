// The `status` executable: read the configuration (a bad value exits 2 with one line on stderr), answer the
// `healthcheck` subcommand, or build the daemon and run it until a signal stops it.
import Daemon
import Foundation

let configuration: Configuration
do {
    configuration = try Configuration.fromEnvironment(ProcessInfo.processInfo.environment)
} catch {
    StartupError.exit(error, code: 2)
}

if CommandLine.arguments.dropFirst().first == "healthcheck" {
    exit(HealthProbe.run(listen: configuration.listen))
}

do {
    try Daemon(configuration: configuration).run()
} catch {
    StartupError.exit(error, code: error.exitCode)
}
