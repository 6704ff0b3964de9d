import Foundation
import Testing

/// netlab installed outside its checkout, as `scripts/install.sh` lays it out: PREFIX/bin/netlab reads its
/// lessons and exercises from PREFIX/share/netlab.
@Suite("An installed netlab", .machineShare, .tags(.integration, .slow))
struct InstalledTests {
    /// A fresh prefix with a copy of the built netlab in bin/, and the data in share/netlab when `withData`.
    static func install(withData: Bool) async throws -> URL {
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-prefix-\(UUID())")
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let bin = prefix.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        // Copied by cp, not in this process: a program file this many-threaded process holds open for
        // writing could be inherited by another test's child and make starting it fail (ETXTBSY).
        let copy = try TestProcess("/bin/cp", [Tools.netlab.path, bin.appendingPathComponent("netlab").path])
        #expect(try await copy.wait() == 0)
        if withData {
            let share = prefix.appendingPathComponent("share/netlab")
            try FileManager.default.createDirectory(at: share, withIntermediateDirectories: true)
            for folder in ["lessons", "exercises"] {
                try FileManager.default.copyItem(
                    at: checkout.appendingPathComponent(folder), to: share.appendingPathComponent(folder))
            }
        }
        return prefix
    }

    @Test("finds its lessons and exercises in PREFIX/share/netlab, run from any folder")
    func findsItsData() async throws {
        let prefix = try await Self.install(withData: true)
        defer { try? FileManager.default.removeItem(at: prefix) }
        let netlab = prefix.appendingPathComponent("bin/netlab").path
        for (arguments, expected) in [(["lessons"], "TCP sockets"), (["exercises"], "room-chat-server")] {
            let run = try TestProcess(netlab, arguments, environment: ["NETLAB_HOME": ""], directory: "/")
            defer { run.stop() }
            #expect(try await run.wait() == 0, "\(arguments): \(run.stderr)")
            #expect(run.stdout.contains(expected), "\(arguments): \(run.stdout)")
        }
    }

    @Test("without its data it says in one sentence how to install it")
    func saysHowToInstall() async throws {
        let prefix = try await Self.install(withData: false)
        defer { try? FileManager.default.removeItem(at: prefix) }
        let run = try TestProcess(
            prefix.appendingPathComponent("bin/netlab").path, ["lessons"], environment: ["NETLAB_HOME": ""],
            directory: "/")
        defer { run.stop() }
        #expect(try await run.wait() == 1)
        #expect(run.stderr.contains("scripts/install.sh"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1)
    }
}
