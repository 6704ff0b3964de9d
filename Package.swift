// swift-tools-version:6.0
// netlab depends on the Swift toolchain only: no package dependencies.
import PackageDescription

// In a release build, type metadata is reached through accessor functions instead of looked up by
// mangled name at run time: each such lookup scans every protocol conformance in the program, which
// a statically linked netlab pays for at start-up (README, IP calculator performance).
let releaseSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .unsafeFlags(
        ["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"], .when(configuration: .release)),
]

let package = Package(
    name: "netlab",
    products: [
        .executable(name: "netlab", targets: ["netlab"]),
        .library(name: "NetlabKit", targets: ["NetlabKit"]),
    ],
    targets: [
        // Swift's Glibc module lacks epoll, eventfd and accept4; this header exposes them.
        .target(name: "CNetlabLinux"),
        .target(
            name: "NetlabKit",
            dependencies: ["CNetlabLinux"],
            swiftSettings: releaseSettings
        ),
        .executableTarget(
            name: "netlab",
            dependencies: ["NetlabKit"],
            swiftSettings: releaseSettings
        ),
        .testTarget(
            name: "NetlabTests",
            dependencies: ["NetlabKit"],
            exclude: ["Fixtures"],  // Python programs the grader tests run, not sources
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
