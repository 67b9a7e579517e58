// swift-tools-version:6.0
// The `status` package. Each layer is a target that lists only the layers below it, so the compiler holds the
// data flow to one direction (a wrong-way import does not compile):
//
//   Platform (the only importer of CLinux) · Encoding        the bottom: syscalls, clocks, text formats
//   Logging · History · Consensus                            log lines; latency arithmetic; probes' verdicts
//   ICMP · HTTP · Storage (the only importer of CMariaDB)    the pinger, a generic server, the store
//   Monitor (over ICMP) · Uptime (over Storage) · Webhooks   state and events, uptime figures, notifications
//   HostFile (over Monitor)                                  the host file's text → validated hosts
//   Probes (over Monitor, Storage, Webhooks, Consensus)      several probes agreeing through the database
//   API (over HTTP, Monitor, Storage, Uptime)                the contract's endpoints
//   Daemon → status (main.swift)                            composition, and a thin executable
//
// No Swift package dependencies: only the toolchain, libmariadb (via pkg-config) and Linux headers.
import PackageDescription

let package = Package(
    name: "status",
    products: [
        .executable(name: "status", targets: ["status"]),
    ],
    targets: [
        // C: Linux headers Swift's Glibc lacks, and libmariadb.
        .target(name: "CLinux"),
        .systemLibrary(name: "CMariaDB", pkgConfig: "libmariadb", providers: [.apt(["libmariadb-dev"])]),

        // The bottom: syscalls, sockets, epoll, files, clocks (the only importer of CLinux); text formats.
        .target(name: "Platform", dependencies: ["CLinux"]),
        .target(name: "Encoding"),
        .target(name: "Logging", dependencies: ["Platform", "Encoding"]),
        // Latency and loss history's arithmetic: mergeable rollups, their bytes, resolutions and queries.
        .target(name: "History"),
        // Several probes' views of a host → one verdict (quorum, since when, in words).
        .target(name: "Consensus"),

        // The parts, each knowing only the layers above in this list.
        .target(name: "ICMP", dependencies: ["Platform", "Logging"]),
        .target(name: "HTTP", dependencies: ["Platform", "Encoding", "Logging"]),
        .target(name: "Storage", dependencies: ["CMariaDB", "Consensus", "History", "Platform", "Encoding", "Logging"]),
        .target(name: "Monitor", dependencies: ["ICMP", "Consensus", "Platform", "Encoding", "Logging"]),
        .target(name: "Uptime", dependencies: ["Storage", "Platform", "Encoding"]),
        .target(name: "Webhooks", dependencies: ["Platform", "Encoding", "Logging"]),
                // The host file: text in, validated hosts (names, groups, parents, settings, maintenance) out.
        .target(name: "HostFile", dependencies: ["Monitor", "Encoding"]),
        // Several probes on one database: views written and read, the consensus settled, the outbox sent.
        .target(name: "Probes", dependencies: ["Consensus", "Monitor", "Storage", "Webhooks", "Platform", "Encoding", "Logging"]),
        .target(
            name: "API",
            dependencies: ["HTTP", "History", "Monitor", "Storage", "Uptime", "Platform", "Encoding", "Logging"],
            resources: [.embedInCode("Resources/dashboard.html"), .embedInCode("Resources/openapi.json")]
        ),

        // Composition: configuration, recovery, the monitor's subscribers, start-up and shutdown.
        .target(
            name: "Daemon",
            dependencies: ["API", "Consensus", "History", "HostFile", "Monitor", "Probes", "ICMP", "HTTP", "Storage", "Uptime", "Webhooks", "Platform",
                           "Encoding", "Logging"]
        ),
        .executableTarget(name: "status", dependencies: ["Daemon"]),

        // Test helpers shared by the test targets (network namespaces, an HTTP client, test databases).
        .target(name: "TestSupport", dependencies: ["Platform", "ICMP", "HTTP", "Logging", "Storage"], path: "Tests/TestSupport"),
        .testTarget(name: "PlatformTests", dependencies: ["Platform", "TestSupport"]),
        .testTarget(name: "EncodingTests", dependencies: ["Encoding"]),
        .testTarget(name: "LoggingTests", dependencies: ["Logging", "TestSupport"]),
        .testTarget(name: "ICMPTests", dependencies: ["ICMP", "Platform", "Logging", "TestSupport"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "Platform", "Encoding", "Logging", "TestSupport"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "Consensus", "Platform", "Encoding", "Logging", "TestSupport"]),
        .testTarget(name: "MonitorTests", dependencies: ["Monitor", "ICMP", "Platform", "Encoding", "Logging", "TestSupport"]),
        .testTarget(name: "UptimeTests", dependencies: ["Uptime", "Storage"]),
        .testTarget(name: "HistoryTests", dependencies: ["History"]),
        .testTarget(name: "ConsensusTests", dependencies: ["Consensus"]),
        .testTarget(name: "ProbesTests", dependencies: ["Probes", "Storage", "Monitor", "Consensus", "Platform",
                                                    "Logging", "TestSupport"]),
        .testTarget(name: "HostFileTests", dependencies: ["HostFile", "Monitor", "Encoding", "Platform"]),
        .testTarget(name: "WebhooksTests", dependencies: ["Webhooks", "Platform", "Logging", "TestSupport"]),
        .testTarget(name: "APITests", dependencies: ["API", "Consensus", "HTTP", "ICMP", "Monitor", "Storage", "Uptime", "Encoding", "Logging",
                                                  "TestSupport"]),
        .testTarget(name: "DaemonTests", dependencies: ["Daemon", "HostFile", "Monitor", "ICMP", "Storage", "Webhooks", "Platform", "Encoding", "Logging",
                                                     "TestSupport"]),
    ]
)
