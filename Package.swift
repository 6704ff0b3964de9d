// swift-tools-version:6.0
// netlab depends on the Swift toolchain only: no package dependencies.
import PackageDescription

// In a release build, type metadata is reached through accessor functions instead of looked up by
// mangled name at run time: each such lookup scans every protocol conformance in the program, which
// a statically linked netlab pays for at start-up (README, IP calculator performance).
//
// A release netlab is one static executable: it starts in a quarter of the time a dynamically linked one
// takes, since no shared library is loaded or relocated. Every module is compiled for it too, so that
// Foundation's static libraries bring the libraries they need (ICU) into the link.
let releaseSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .unsafeFlags(
        ["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors", "-static-executable"],
        .when(configuration: .release)),
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
            swiftSettings: releaseSettings,
            linkerSettings: [.unsafeFlags(["-static-executable", "-use-ld=lld"], .when(configuration: .release))]
        ),
        .testTarget(
            name: "NetlabTests",
            dependencies: ["NetlabKit"],
            exclude: ["Fixtures"],  // Python programs the grader tests run, not sources
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
