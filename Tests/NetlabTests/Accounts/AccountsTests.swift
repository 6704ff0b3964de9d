import Foundation
import Testing

@testable import NetlabTopics

/// A fresh folder under the temporary directory, removed by the caller.
private func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-accounts-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite("Accounts: sizes, the users file, the home jail", .machineShare)
struct AccountsTests {
    @Test("sizes read as people write them, in binary units, and print back readably")
    func byteSizes() {
        #expect(ByteSize.parse("500K") == Int64(500 * 1024))
        #expect(ByteSize.parse("10M") == 10 << 20)
        #expect(ByteSize.parse("10m") == 10 << 20)
        #expect(ByteSize.parse("10MiB") == 10 << 20)
        #expect(ByteSize.parse("1G") == 1 << 30)
        #expect(ByteSize.parse("1.5G") == 3 << 29)
        #expect(ByteSize.parse("4096") == 4096)
        #expect(ByteSize.parse(" 2K ") == 2048)
        for bad in ["", "M", "ten", "-1M", "1X", "1e3", "99999999999T"] {
            #expect(ByteSize.parse(bad) == nil, "\(bad)")
        }
        #expect(ByteSize.format(0) == "0 B")
        #expect(ByteSize.format(1023) == "1023 B")
        #expect(ByteSize.format(1536) == "1.5 KiB")
        #expect(ByteSize.format(10 << 20) == "10 MiB")
        #expect(ByteSize.format((1 << 30) + (3 << 28)) == "1.8 GiB")
    }

    @Test("the users file keeps comments and unknown keys, and Python's configparser reads what it writes")
    func usersFileRoundTrip() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("users.ini").path
        try """
        # the class's accounts
        [alice]
        password = pbkdf2_sha256$600000$salt$hash
        home = alice
        quota = 10M
        ; alice's note
        shell = none

        [bob]
        password: pbkdf2_sha256$600000$salt2$hash2
        """.write(toFile: path, atomically: true, encoding: .utf8)
        var file = try UsersFile(path: path)
        #expect(file.accounts.map(\.name) == ["alice", "bob"])
        #expect(file.account(named: "alice")?.quota == 10 << 20)
        #expect(file.account(named: "bob")?.home == "bob", "the home defaults to the user's name")
        #expect(file.account(named: "bob")?.quota == nil)
        file.set(UserAccount(name: "carol", passwordHash: "pbkdf2_sha256$1$s$h", home: "c", quota: 500 * 1024))
        var alice = try #require(file.account(named: "alice"))
        alice.quota = 20 << 20
        file.set(alice)
        let removedBob = file.remove(named: "bob")
        let removedNobody = file.remove(named: "nobody")
        #expect(removedBob && !removedNobody)
        try file.save()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(
            text == """
                # the class's accounts
                [alice]
                password = pbkdf2_sha256$600000$salt$hash
                home = alice
                quota = 20M
                ; alice's note
                shell = none

                [carol]
                password = pbkdf2_sha256$1$s$h
                home = c
                quota = 500K

                """)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600, "password hashes are for the owner only")
        #expect(try UsersFile(path: path).accounts.map(\.name) == ["alice", "carol"])
        if let python = Tools.path(of: "python3") {
            let script =
                "import configparser,sys; c=configparser.ConfigParser(); c.read(sys.argv[1]); "
                + "print(c['carol']['quota'], c['alice']['home'])"
            let run = try TestProcess(python, ["-c", script, path])
            #expect(try await run.wait(within: 10) == 0)
            #expect(run.stdout == "500K alice\n")
        }
    }

    @Test("a broken users file is refused with its line and the fix")
    func usersFileErrors() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("users.ini").path
        let cases: [(String, String)] = [
            (
                "[alice]\npassword = x\nquota = lots\n",
                "user alice's quota 'lots' is not a size — write it as 500K, 10M or 1G"
            ),
            ("[alice]\npassword = x\n[alice]\npassword = y\n", "line 3: user alice appears twice"),
            ("password = x\n", "line 1: 'password = x' comes before any [USER] section"),
            ("[alice]\njust words\n", "line 2: 'just words' is not KEY = VALUE"),
            ("[alice]\nhome = a\n", "user alice has no password — set one with netlab users passwd alice"),
            ("[../etc]\npassword = x\n", "'../etc' is not a user name"),
        ]
        for (text, expected) in cases {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let error = #expect(throws: UsersFileError.self) { try UsersFile(path: path) }
            #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
        }
        #expect(try UsersFile(path: folder.appendingPathComponent("missing.ini").path).accounts.isEmpty)
    }

    @Test("the jail: / is the home, .. above it refused (or staying home for FTP), names checked")
    func jailPaths() throws {
        let home = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: home) }
        let jail = try HomeJail(home: home.path)
        let refusing = { (path: String, current: String, rule: String) in
            let error = #expect(throws: JailError.self) { try jail.resolve(path, from: current) }
            #expect(error?.description.contains(rule) == true, "\(path): \(error?.description ?? "")")
        }
        #expect(try jail.clientPath("docs/a.txt", from: "/") == "/docs/a.txt")
        #expect(try jail.clientPath("../b", from: "/docs") == "/b")
        #expect(try jail.clientPath("/etc/passwd", from: "/docs") == "/etc/passwd", "absolute paths are inside")
        #expect(try jail.resolve("/etc/passwd").real == jail.root + "/etc/passwd")
        #expect(try jail.clientPath(".", from: "/") == "/")
        refusing("..", "/", "leads above your home folder")
        refusing("docs/../../x", "/", "leads above your home folder")
        refusing("a\u{0}b", "/", "NUL byte")
        refusing("a\r\nDELE x", "/", "control characters")
        refusing(String(repeating: "n", count: 256), "/", "at most 255 bytes")
        refusing(".netlab-partial/x", "/", "netlab's own")
        refusing("", "/", "empty")
        #expect(try jail.clientPath(String(repeating: "n", count: 255)) == "/" + String(repeating: "n", count: 255))
        let ftp = try HomeJail(home: home.path, aboveHome: .staysHome)
        #expect(try ftp.clientPath("../../x", from: "/") == "/x")
    }

    @Test("symbolic links that lead out of the home are refused; links inside it work")
    func jailLinks() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let home = root.appendingPathComponent("alice")
        try FileManager.default.createDirectory(
            at: home.appendingPathComponent("docs"), withIntermediateDirectories: true)
        try "secret".write(to: root.appendingPathComponent("secret.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(
            atPath: home.appendingPathComponent("out").path, withDestinationPath: "/etc")
        try FileManager.default.createSymbolicLink(
            atPath: home.appendingPathComponent("up").path, withDestinationPath: "../secret.txt")
        try FileManager.default.createSymbolicLink(
            atPath: home.appendingPathComponent("inside").path, withDestinationPath: "docs")
        try FileManager.default.createSymbolicLink(
            atPath: home.appendingPathComponent("loop").path, withDestinationPath: "loop")
        let jail = try HomeJail(home: home.path)
        for path in ["out", "out/passwd", "/up", "docs/../up"] {
            let error = #expect(throws: JailError.self) { try jail.resolve(path) }
            #expect(error?.description.contains("leads outside your home folder") == true, "\(path)")
        }
        #expect(throws: JailError.self) { try jail.resolve("loop") }
        #expect(try jail.resolve("inside/new.txt").real == jail.root + "/docs/new.txt")
        // The home itself reached through a link is resolved first: its real path is the root.
        let link = root.appendingPathComponent("alice-link")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "alice")
        #expect(try HomeJail(home: link.path).root == jail.root)
        #expect(throws: JailError.self) { try HomeJail(home: root.appendingPathComponent("nobody").path) }
    }
}
