// swift-tools-version:6.0
// The `status` package: one library with all logic, a thin executable, one unit-test target.
// No Swift package dependencies: only the toolchain, libmariadb (via pkg-config) and Linux headers.
import PackageDescription

let package = Package(
    name: "status",
    products: [
        .executable(name: "status", targets: ["status"]),
    ],
    targets: [
        .systemLibrary(
            name: "CMariaDB",
            pkgConfig: "libmariadb",
            providers: [.apt(["libmariadb-dev"])]
        ),
        .target(name: "CLinux"),
        .target(
            name: "StatusCore",
            dependencies: ["CMariaDB", "CLinux"]
        ),
        .executableTarget(
            name: "status",
            dependencies: ["StatusCore"]
        ),
        .testTarget(
            name: "StatusCoreTests",
            dependencies: ["StatusCore", "CLinux"]
        ),
    ],
    swiftLanguageModes: [.v5]
)
