import Foundation
import Testing

@testable import NetlabGrader
@testable import NetlabProcesses

@Suite("A graded program's process tree, from /proc", .machineShare, .tags(.integration))
struct ProgramTreeTests {
    @Test("finds a detached grandchild, its sockets, and the CPU it spends")
    func findsTheWholeTree() async throws {
        // The program starts a child that forks a grandchild and exits: the grandchild is reparented to
        // the supervisor, and must still count as the program's. The grandchild opens a socket and spins.
        let script = """
            import os, socket, time
            if os.fork() == 0:
                if os.fork() == 0:
                    s = socket.socket()
                    s.bind(("127.0.0.1", 0))
                    s.listen()
                    print(s.getsockname()[1], flush=True)
                    end = time.time() + 20
                    while time.time() < end: pass
                os._exit(0)
            time.sleep(20)
            """
        let child = try ChildProcess(arguments: ["python3", "-c", script], folder: NSTemporaryDirectory())
        defer { child.stop() }
        try await waitUntil(within: 10) { !child.output.isEmpty }
        let port = try #require(Int(child.output.trimmingCharacters(in: .whitespacesAndNewlines)))
        let tree = ProgramTree(of: child)
        #expect(tree.pids.first == child.pid)
        #expect(tree.pids.count == 3, "the program, its exited child (a zombie it never waited for), the grandchild")

        // The listening socket's inode, from the kernel's table, is one of the tree's.
        let hexPort = String(format: ":%04X ", port)
        let row = try #require(
            KernelTCPTable.procFile("/proc/net/tcp")?.split(separator: "\n").first { $0.contains(hexPort) })
        let inode = try #require(UInt64(row.split(separator: " ", omittingEmptySubsequences: true)[9]))
        #expect(tree.socketInodes.contains(inode))

        let before = tree.cpuSeconds
        try await waitUntil(within: 10) { ProgramTree(of: child).cpuSeconds > before + 0.2 }
        #expect(tree.peakMemoryBytes > 1_000_000)
        // The spinning grandchild is busy (running, or waiting to run) however loaded the machine is.
        let busyBefore = tree.busyNanosecondsByThread
        try await waitUntil(within: 10) {
            let busy = ProgramTree(of: child).busyNanosecondsByThread
            return busy.contains { $0.value > (busyBefore[$0.key] ?? 0) + 200_000_000 }
        }
    }

    @Test("a program blocked in a read is not busy: its threads neither run nor wait to run")
    func idleIsNotBusy() async throws {
        var options = ChildProcess.Options()
        options.keepsInputOpen = true  // it blocks reading its input until the test ends
        let child = try ChildProcess(
            arguments: ["python3", "-c", "import sys; print('ready', flush=True); sys.stdin.read()"],
            options: options, folder: NSTemporaryDirectory())
        defer { child.stop() }
        try await waitUntil(within: 10) { child.output.contains("ready") }
        let before = ProgramTree(of: child).busyNanosecondsByThread
        try #require(!before.isEmpty, "this kernel keeps no /proc/PID/task/TID/schedstat")
        try await Task.sleep(for: .milliseconds(300))  // a window to measure over, not a wait for an event
        let after = ProgramTree(of: child).busyNanosecondsByThread
        let busy = after.reduce(0) { $0 + $1.value - min(before[$1.key] ?? 0, $1.value) }
        #expect(busy < 50_000_000, "\(busy) ns busy while blocked in read()")
    }
}

@Suite("The grader's users of their own", .machineShare, .tags(.integration))
struct UserSlotTests {
    @Test("an account is found in /etc/passwd by its uid, without the name service")
    func findsAccountsByUID() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("passwd-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("root:x:0:0:root:/root:/bin/bash\nalice:x:64001:64001::/home/alice:/bin/sh\n".utf8).write(to: file)
        #expect(UserSlot.hasAccount(64001, passwd: file.path))
        #expect(UserSlot.hasAccount(0, passwd: file.path))
        #expect(!UserSlot.hasAccount(64000, passwd: file.path))
        #expect(!UserSlot.hasAccount(6400, passwd: file.path), "a uid that is a prefix of another's is not it")
        #expect(UserSlot.hasAccount(0))
    }
}
