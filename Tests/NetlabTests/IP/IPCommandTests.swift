import Foundation
import Testing

@testable import NetlabCLI
@testable import NetlabTopics

@Suite("netlab ip commands", .machineShare)
struct IPCommandTests {
    @Test("info prints every fact of an IPv4 address and marks network and host bits")
    func infoIPv4() async {
        let result = await IPTestSupport.run("ip", "info", "192.168.1.10/24")
        let expected = """
            address:       192.168.1.10
            decimal:       3232235786
            hex:           0xc0a8010a
            mask:          255.255.255.0 = /24 = 0xffffff00
            wildcard:      0.0.0.255
            network:       192.168.1.0/24
            broadcast:     192.168.1.255
            first host:    192.168.1.1
            last host:     192.168.1.254
            usable hosts:  254 (2^8 − 2)
            addresses:     256 (2^8), 192.168.1.0 to 192.168.1.255
            class:         C, classful network 192.168.1.0/24
            special range: 192.168.0.0/16 private-use (RFC 1918)

            binary (network bits | host bits):
              address:   11000000.10101000.00000001 | 00001010
              mask:      11111111.11111111.11111111 | 00000000
              network:   11000000.10101000.00000001 | 00000000
              broadcast: 11000000.10101000.00000001 | 11111111

            """
        #expect(result.status == 0)
        #expect(result.out == expected, "\(IPTestSupport.lineDiff(result.out, expected))")
    }

    @Test(
        "info reads the mask as a second argument, a dotted, hex or wildcard mask, all to the same network"
    )
    func maskForms() async {
        for arguments in [
            ["192.168.1.10", "255.255.255.0"], ["192.168.1.10/255.255.255.0"],
            ["192.168.1.10/0xffffff00"],
            ["192.168.1.10/0.0.0.255"],
        ] {
            let result = await IPTestSupport.run(["ip", "info"] + arguments + ["--json"])
            #expect(result.status == 0)
            #expect(result.out.contains("\"cidr\": \"192.168.1.0/24\""), "\(arguments)")
        }
        let wildcard = await IPTestSupport.run("ip", "info", "192.168.1.10/0.0.0.255")
        #expect(wildcard.out.contains("(read from the wildcard mask 0.0.0.255)"))
    }

    @Test("--explain shows the AND of address and mask in binary and why hosts are 2^h − 2")
    func explain() async {
        let result = await IPTestSupport.run("ip", "info", "10.1.2.3/30", "--explain")
        let expected = """
            3. The network address is the address AND the mask: a bit stays 1 only where both bits are 1,
               so the network bits are kept and every host bit becomes 0:
                     00001010.00000001.00000010.00000011   10.1.2.3
                 AND 11111111.11111111.11111111.11111100   255.255.255.252
                   = 00001010.00000001.00000010.00000000   10.1.2.0
            """
        #expect(result.out.contains(expected), "\(result.out)")
        #expect(result.out.contains("2^2 − 2 = 2 addresses are usable hosts: 10.1.2.1 to 10.1.2.2."))
    }

    @Test("class names the class, its range, bit pattern, default mask and special range")
    func addressClass() async {
        let result = await IPTestSupport.run("ip", "class", "10.20.30.40")
        let expected = """
            address:          10.20.30.40
            class:            A (unicast: 126 usable networks (2^7 − 2: 0 and 127 are reserved) of 16,777,214 hosts each)
            first octet:      10 = 00001010
            leading bits:     0 (every class A address starts with it)
            class range:      0.0.0.0 to 127.255.255.255 (first octet 0–127)
            default mask:     255.0.0.0 (/8)
            classful network: 10.0.0.0/8
            special range:    10.0.0.0/8 private-use (RFC 1918)

            """
        #expect(result.status == 0)
        #expect(result.out == expected, "\(IPTestSupport.lineDiff(result.out, expected))")
    }

    @Test("split --hosts 1 speaks of one host, and a 2-host subnet's working agrees with RFC 3021")
    func splitOneHost() async {
        let result = await IPTestSupport.run("ip", "split", "10.0.0.0/24", "--hosts", "1", "--explain")
        #expect(result.out.contains("1 subnet for 1 host (VLSM"), "got \(result.out)")
        #expect(!result.out.contains("leave no host"))
        #expect(result.out.contains("RFC 3021 point-to-point"))
    }

    @Test("split --hosts prints the VLSM table largest first")
    func splitVLSM() async {
        let result = await IPTestSupport.run("ip", "split", "192.168.1.0/24", "--hosts", "20,100,2,50")
        let expected = """
            network:        192.168.1.0/24
            split:          4 subnets for 100, 50, 20 and 2 hosts (VLSM, largest first)
            addresses used: 228 of 256

            subnet            hosts asked  usable  mask             first host     last host      broadcast
            192.168.1.0/25    100          126     255.255.255.128  192.168.1.1    192.168.1.126  192.168.1.127
            192.168.1.128/26  50           62      255.255.255.192  192.168.1.129  192.168.1.190  192.168.1.191
            192.168.1.192/27  20           30      255.255.255.224  192.168.1.193  192.168.1.222  192.168.1.223
            192.168.1.224/30  2            2       255.255.255.252  192.168.1.225  192.168.1.226  192.168.1.227

            unused: 192.168.1.228/30, 192.168.1.232/29, 192.168.1.240/28

            """
        #expect(result.status == 0)
        #expect(result.out == expected, "\(IPTestSupport.lineDiff(result.out, expected))")
    }

    @Test("summarize prints the fewest CIDRs and says what it merged on stderr")
    func summarize() async {
        let result = await IPTestSupport.run(
            "ip", "summarize", "10.0.0.0/24", "10.0.1.0/24", "10.0.1.0/24", "10.0.0.5-10.0.0.9")
        #expect(result.status == 0)
        #expect(result.out == "10.0.0.0/23\n")
        #expect(result.err == "note: 4 items became 1 network (1 duplicate, 1 overlapping)\n")
    }

    @Test("--json prints one object with stable snake_case fields on every subcommand")
    func json() async throws {
        let commands: [([String], [String])] = [
            (["ip", "class", "10.1.2.3", "--json"], ["class", "default_mask", "special_range"]),
            (
                ["ip", "info", "10.1.2.3/8", "--json"], ["network", "broadcast", "usable_hosts", "binary"]
            ),
            (["ip", "info", "fe80::1/64", "--json"], ["expanded", "type", "address_count"]),
            (
                ["ip", "split", "10.0.0.0/24", "--into", "2", "--json", "--explain"],
                ["subnets", "unused", "explanation"]
            ),
            (
                ["ip", "summarize", "10.0.0.0/25", "10.0.0.128/25", "--json"],
                ["networks", "duplicate_count"]
            ),
        ]
        for (arguments, keys) in commands {
            let console = Console.capture()
            #expect(await CLI.run(arguments, console: console) == 0)
            let object =
                try JSONSerialization.jsonObject(with: Data(console.capturedOut.utf8)) as? [String: Any]
            for key in keys { #expect(object?[key] != nil, "\(arguments): \(key)") }
        }
    }

    @Test(
        "bad input exits 1 with one sentence naming the bad part",
        arguments: [
            ("256.1.1.1", "part 1 (256)"), ("1.2.3", "'1.2.3' has 3 parts"), ("1.2.3.4.5", "has 5 parts"),
            ("010.1.1.1", "leading zero"), ("1.2.3.4/255.0.255.0", "not contiguous"),
            ("1.2.3.4/33", "/33"),
            ("1.2.3.4/-1", "'-1'"), ("", "empty"), ("1::2::3", "'::' twice"),
            ("localhost", "'localhost' is a host name, not an address"),
            ("2001:db8::/x", "such as /64"), ("2001:db8::/ffff:0:ffff::", "not an IPv6 mask"),
            ("2001:db8::/255.255.255.0", "is an IPv4 mask, but the address is IPv6"),
        ])
    func badInput(text: String, fragment: String) async {
        let result = await IPTestSupport.run("ip", "info", text)
        #expect(result.status == 1)
        #expect(result.out.isEmpty)
        #expect(result.err.hasPrefix("netlab: ") && result.err.contains(fragment), "\(result.err)")
        #expect(result.err.split(separator: "\n").count == 1)
    }

    @Test("a split that cannot fit exits 1 and says how large a network would")
    func doesNotFit() async {
        let result = await IPTestSupport.run("ip", "split", "192.168.1.0/24", "--hosts", "200,100")
        #expect(result.status == 1)
        #expect(
            result.err
                == "netlab: the subnets need 384 addresses but 192.168.1.0/24 has only 256 — a /23 would hold them all; use a larger network or fewer hosts\n"
        )
    }

    @Test("split with no way or two ways to split is a usage error (64)")
    func splitUsage() async {
        #expect(await IPTestSupport.run("ip", "split", "10.0.0.0/24").status == 64)
        #expect(
            await IPTestSupport.run("ip", "split", "10.0.0.0/24", "--into", "2", "--prefix", "26").status
                == 64)
        #expect(await IPTestSupport.run("ip", "split", "10.0.0.0/24", "--hosts", "5,0").status == 64)
    }

    @Test("summarize --from reads items from a file, skipping comments")
    func summarizeFromFile() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "netlab-ip-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        try "# prefixes\n10.0.0.0/25\n10.0.0.128/25 # second half\n\n192.168.0.0/24\n".write(
            to: file, atomically: true, encoding: .utf8)
        let result = await IPTestSupport.run("ip", "summarize", "--from", file.path)
        #expect(result.status == 0)
        #expect(result.out == "10.0.0.0/24\n192.168.0.0/24\n")
    }

    @Test("a mask given apart may keep its slash, and an IPv6 mask may be written as an address")
    func masksGivenApart() async {
        let slashed = await IPTestSupport.run("ip", "info", "10.1.2.3", "/24", "--json")
        #expect(slashed.status == 0)
        #expect(slashed.out.contains(#""cidr": "10.1.2.0/24""#), "\(slashed.out)")
        let v6 = await IPTestSupport.run("ip", "info", "2001:db8::1", "ffff:ffff::", "--json")
        #expect(v6.status == 0)
        #expect(v6.out.contains(#""prefix_length": 32"#), "\(v6.out)")
    }

    @Test("summarize --from names the file and line of a bad item, and refuses a file that is not text")
    func summarizeFromFileErrors() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "netlab-ip-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        try "10.0.0.0/24\r\n# comment\r\n10.0.1.0/33\r\n".write(to: file, atomically: true, encoding: .utf8)
        let result = await IPTestSupport.run("ip", "summarize", "--from", file.path)
        #expect(result.status == 1)
        #expect(
            result.err
                == "netlab: \(file.path) line 3: prefix length /33 is longer than the address's 32 bits — use /0 to /32\n"
        )
        // A byte order mark (Windows Notepad) is not part of the first item; a spaced range is explained.
        try Data("\u{FEFF}10.0.0.0/24\n10.0.1.0 - 10.0.1.255\n".utf8).write(to: file)
        let spaced = await IPTestSupport.run("ip", "summarize", "--from", file.path)
        #expect(
            spaced.err
                == "netlab: \(file.path) line 2: a range is written without spaces around '-', such as 10.0.0.5-10.0.0.20\n"
        )
        try Data([0xFF, 0xFE, 0x00, 0x31]).write(to: file)
        let binary = await IPTestSupport.run("ip", "summarize", "--from", file.path)
        #expect(binary.status == 1)
        #expect(binary.err.contains("is not text (it is not UTF-8)"))
    }
}
