// swift-tools-version:6.0
// netlab depends on the Swift toolchain only: no package dependencies.
//
// Each module is a layer and uses only the layers below it (README, "How the code is organized"):
//
//   netlab            main.swift: argv in, exit status out
//   NetlabCLI         the command tree, its options and help; one small file per command
//   NetlabGrader      runs a program against an exercise's checks
//   NetlabTopics      the course's servers and clients (tcp, udp, daytime, cmd, rexec, chat), the console
//   NetlabProcesses   child processes, their pipes and process trees
//   NetlabSockets     the socket core: the only module that calls the C library's socket functions
//   CNetlabLinux      epoll, eventfd and accept4, which Swift's Glibc module lacks
//   NetlabIP          the IP and subnet calculator, with no dependencies at all
import PackageDescription

// A release netlab is one static executable: it starts in a quarter of the time a dynamically linked one
// takes, since no shared library is loaded or relocated. The modules that import Foundation are compiled
// for it too, so that Foundation's static libraries bring the libraries they need (ICU) into the link.
// Type metadata is reached through accessor functions instead of looked up by mangled name at run
// time: each such lookup scans every protocol conformance in the program, which a statically linked
// netlab pays for at start-up (README, IP calculator performance).
//
// These flags are unsafe flags, which a package that depends on netlab may not inherit: the library
// product, NetlabSockets, is built without them. NetlabIP keeps them: without the accessor flag,
// `netlab ip info` made two conformance scans at start-up (1,208,702 instructions against 756,454).
let staticExecutableSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .unsafeFlags(
        ["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors", "-static-executable"],
        .when(configuration: .release)),
]
let librarySettings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "netlab",
    products: [
        .executable(name: "netlab", targets: ["netlab"]),
        .library(name: "NetlabSockets", targets: ["NetlabSockets"]),
    ],
    targets: [
        .target(name: "CNetlabLinux"),
        .target(name: "NetlabIP", swiftSettings: staticExecutableSettings),
        .target(name: "NetlabSockets", dependencies: ["CNetlabLinux"], swiftSettings: librarySettings),
        .target(
            name: "NetlabProcesses", dependencies: ["CNetlabLinux", "NetlabSockets"],
            swiftSettings: staticExecutableSettings),
        .target(
            name: "NetlabTopics", dependencies: ["NetlabSockets", "NetlabProcesses"],
            swiftSettings: staticExecutableSettings),
        .target(
            name: "NetlabGrader", dependencies: ["NetlabSockets", "NetlabProcesses", "NetlabTopics"],
            swiftSettings: staticExecutableSettings),
        .target(
            name: "NetlabCLI",
            dependencies: ["NetlabIP", "NetlabSockets", "NetlabProcesses", "NetlabTopics", "NetlabGrader"],
            swiftSettings: staticExecutableSettings),
        .executableTarget(
            name: "netlab",
            dependencies: ["NetlabCLI"],
            swiftSettings: staticExecutableSettings,
            linkerSettings: [.unsafeFlags(["-static-executable", "-use-ld=lld"], .when(configuration: .release))]
        ),
        .testTarget(
            name: "NetlabTests",
            dependencies: [
                "NetlabIP", "NetlabSockets", "NetlabProcesses", "NetlabTopics", "NetlabGrader", "NetlabCLI",
            ],
            exclude: ["Fixtures"],  // Python programs the grader tests run, not sources
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
