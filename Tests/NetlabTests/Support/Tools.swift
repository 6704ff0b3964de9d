import Foundation

/// Finds optional peers (nc, socat, python3) and the built netlab executable.
enum Tools {
    /// The full path of a program on PATH, or nil when it is not installed.
    static func path(of program: String) -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for folder in paths {
            let candidate = "\(folder)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Whether a program is installed; prints the reason a test will be skipped when it is not.
    static func isInstalled(_ program: String) -> Bool {
        if path(of: program) != nil { return true }
        print("skipping: '\(program)' is not installed (CI installs it; apt-get install it to run this test)")
        return false
    }

    /// Whether `nc` is the OpenBSD netcat (netcat-openbsd), whose flags the tests use.
    static var hasOpenBSDNetcat: Bool {
        guard let nc = path(of: "nc") else {
            print("skipping: 'nc' is not installed (apt-get install netcat-openbsd)")
            return false
        }
        let resolved = URL(fileURLWithPath: nc).resolvingSymlinksInPath().path
        if resolved.contains("openbsd") { return true }
        print("skipping: 'nc' at \(resolved) is not netcat-openbsd")
        return false
    }

    /// The `netlab` executable that `swift build` put next to the test bundle.
    static var netlab: URL {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("netlab")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/netlab")
    }
}
