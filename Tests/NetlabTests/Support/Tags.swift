import Foundation
import Testing

extension Tag {
    /// Opens sockets, starts processes, or reads the kernel's tables.
    @Tag static var integration: Self
    /// Takes seconds or more (grades, benchmarks, comparisons with other tools).
    @Tag static var slow: Self
}

/// Which tests run: all of them, or with `NETLAB_TESTS=fast` only those tagged neither `.integration` nor
/// `.slow` (about 20 s; the README's quick check). `swift test --filter tag:…` is not in Swift 6.3's
/// `swift test`, so every suite's `MachineShare` trait applies the choice.
enum TestSubset {
    static let isFast = ProcessInfo.processInfo.environment["NETLAB_TESTS"] == "fast"

    /// Why `test` is left out of this run, or nil when it runs.
    static func reasonToLeaveOut(_ test: Test) -> String? {
        guard isFast else { return nil }
        for tag in [Tag.integration, .slow] where test.tags.contains(tag) {
            return "tagged \(tag), left out of NETLAB_TESTS=fast"
        }
        return nil
    }
}
