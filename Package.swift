// swift-tools-version:6.0
// netlab depends on the Swift toolchain only: no package dependencies.
import PackageDescription

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
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "netlab",
            dependencies: ["NetlabKit"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "NetlabTests",
            dependencies: ["NetlabKit"],
            exclude: ["Fixtures"],  // Python programs the grader tests run, not sources
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
