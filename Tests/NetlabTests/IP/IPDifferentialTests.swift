import Foundation
import Testing

@testable import NetlabIP

/// The answers of Python's `ipaddress` for random inputs, made by `ipaddress_oracle.py` once per test run.
struct PythonOracle: Decodable, Sendable {
    struct IPv4Case: Decodable, Sendable {
        let input, network, broadcast, netmask, hostmask: String
        let firstHost, lastHost: String
        let hostCount, numAddresses: Int
        let isMulticast, isLoopback, isLinkLocal: Bool
    }

    struct IPv6Case: Decodable, Sendable {
        let input, compressed, exploded, network, networkExploded, lastExploded, numAddresses: String
        let isMulticast, isLoopback, isLinkLocal: Bool
        let ipv4Mapped: String?
    }

    struct SummaryCase: Decodable, Sendable {
        let items: [String]
        let networks: [String]
    }

    struct RangeCase: Decodable, Sendable {
        let range: String
        let networks: [String]
    }

    struct MutationCase: Decodable, Sendable {
        let text: String
        let valid: Bool
        let version: Int?
        let value: String?
    }

    let python: String
    let seed: Int
    let ipv4: [IPv4Case]
    let ipv6: [IPv6Case]
    let summariesV4: [SummaryCase]
    let summariesV6: [SummaryCase]
    let rangesV4: [RangeCase]
    let rangesV6: [RangeCase]
    let mutations: [MutationCase]

    /// The oracle's answers, or nil (with the reason printed) when python3 is missing or fails.
    static let shared: PythonOracle? = {
        guard let python = Tools.path(of: "python3") else {
            print(
                "skipping: 'python3' is not installed, so netlab cannot be checked against Python's ipaddress"
            )
            return nil
        }
        let script = IPTestSupport.scripts.appendingPathComponent("ipaddress_oracle.py").path
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase  // Python's first_host is firstHost here
        guard let output = IPTestSupport.blockingOutput(of: python, [script, "--seed", "4"]),
            let oracle = try? decoder.decode(PythonOracle.self, from: Data(output.utf8))
        else {
            print("skipping: \(script) did not produce its JSON")
            return nil
        }
        return oracle
    }()
}

@Suite("IP calculator against Python's ipaddress", .machineShare, .tags(.integration, .slow))
struct IPDifferentialTests {
    private static var hasOracle: Bool { PythonOracle.shared != nil }

    /// Collects mismatches; the test fails showing the first few.
    private struct Mismatches {
        var lines: [String] = []
        mutating func check(_ input: String, _ field: String, _ got: String, _ want: String) {
            if got != want { lines.append("\(input): \(field) is \(got), ipaddress says \(want)") }
        }
        func report(_ total: Int) -> Comment {
            Comment(
                rawValue: "\(lines.count) mismatches in \(total) cases:\n"
                    + lines.prefix(10).joined(separator: "\n"))
        }
    }

    @Test(
        "IPv4 network, broadcast, mask, host range and counts match ipaddress on 10,000 random inputs",
        .enabled(if: hasOracle, "python3 is needed"))
    func ipv4Facts() throws {
        let oracle = try #require(PythonOracle.shared)
        #expect(oracle.ipv4.count >= 10_000)
        var mismatches = Mismatches()
        for item in oracle.ipv4 {
            guard case .v4(let address, let mask) = try IPInterface(parsing: item.input) else {
                mismatches.lines.append("\(item.input): not read as IPv4")
                continue
            }
            let network = IPNetwork(containing: address, prefixLength: mask.prefixLength)
            let special = SpecialPurposeRange.of(address)?.key
            mismatches.check(item.input, "network", network.first.description, item.network)
            mismatches.check(item.input, "last address", network.last.description, item.broadcast)
            mismatches.check(item.input, "mask", mask.dotted.description, item.netmask)
            mismatches.check(item.input, "wildcard", mask.wildcard.description, item.hostmask)
            mismatches.check(item.input, "first host", network.firstHost.description, item.firstHost)
            mismatches.check(item.input, "last host", network.lastHost.description, item.lastHost)
            mismatches.check(
                item.input, "host count", String(network.usableHostCount), String(item.hostCount))
            mismatches.check(
                item.input, "address count", String(network.addressCount), String(item.numAddresses))
            mismatches.check(
                item.input, "multicast", String(special == "multicast"), String(item.isMulticast))
            mismatches.check(
                item.input, "loopback", String(special == "loopback"), String(item.isLoopback))
            mismatches.check(
                item.input, "link-local", String(special == "link_local"), String(item.isLinkLocal))
        }
        #expect(mismatches.lines.isEmpty, mismatches.report(oracle.ipv4.count))
    }

    @Test(
        "IPv6 forms, network, last address, count and type match ipaddress on 2,000 random inputs",
        .enabled(if: hasOracle, "python3 is needed"))
    func ipv6Facts() throws {
        let oracle = try #require(PythonOracle.shared)
        #expect(oracle.ipv6.count >= 2_000)
        var mismatches = Mismatches()
        for item in oracle.ipv6 {
            guard case .v6(let address, let prefixLength) = try IPInterface(parsing: item.input) else {
                mismatches.lines.append("\(item.input): not read as IPv6")
                continue
            }
            let network = IPNetwork(containing: address, prefixLength: prefixLength)
            let type = SpecialPurposeRange.of(address)?.key
            mismatches.check(item.input, "compressed", address.description, item.compressed)
            mismatches.check(item.input, "expanded", address.expanded, item.exploded)
            mismatches.check(item.input, "network", network.first.description, item.network)
            mismatches.check(
                item.input, "network expanded", network.first.expanded, item.networkExploded)
            mismatches.check(item.input, "last address", network.last.expanded, item.lastExploded)
            mismatches.check(item.input, "address count", network.addressCountText, item.numAddresses)
            mismatches.check(
                item.input, "multicast", String(type == "multicast"), String(item.isMulticast))
            mismatches.check(item.input, "loopback", String(type == "loopback"), String(item.isLoopback))
            mismatches.check(
                item.input, "link-local", String(type == "link_local"), String(item.isLinkLocal))
            mismatches.check(
                item.input, "IPv4-mapped", address.mappedIPv4?.description ?? "none",
                item.ipv4Mapped ?? "none")
        }
        #expect(mismatches.lines.isEmpty, mismatches.report(oracle.ipv6.count))
    }

    @Test(
        "summarizing networks and ranges gives collapse_addresses' and summarize_address_range's blocks",
        .enabled(if: hasOracle, "python3 is needed"))
    func summaries() throws {
        let oracle = try #require(PythonOracle.shared)
        var mismatches = Mismatches()
        func check<Address: IPAddress>(_ items: [String], _ expected: [String], as _: Address.Type)
            throws
        {
            let ranges = try items.map { text throws(IPError) in
                try NetworkSummary<Address>.item(parsing: text)
            }
            let got = NetworkSummary(ranges: ranges).networks.map(\.description)
            mismatches.check(
                items.joined(separator: " "), "summary", got.joined(separator: " "),
                expected.joined(separator: " "))
        }
        for item in oracle.summariesV4 { try check(item.items, item.networks, as: IPv4Address.self) }
        for item in oracle.summariesV6 { try check(item.items, item.networks, as: IPv6Address.self) }
        for item in oracle.rangesV4 { try check([item.range], item.networks, as: IPv4Address.self) }
        for item in oracle.rangesV6 { try check([item.range], item.networks, as: IPv6Address.self) }
        let total =
            oracle.summariesV4.count + oracle.summariesV6.count + oracle.rangesV4.count
            + oracle.rangesV6.count
        #expect(mismatches.lines.isEmpty, mismatches.report(total))
    }

    @Test(
        "randomly damaged addresses are accepted or refused exactly as ipaddress does, with the same value",
        .enabled(if: hasOracle, "python3 is needed"))
    func damagedAddresses() throws {
        let oracle = try #require(PythonOracle.shared)
        var mismatches = Mismatches()
        for item in oracle.mutations {
            var got = "refused"
            if IPv6Address.looksLikeIPv6(item.text) {
                if let address = try? IPv6Address(parsing: item.text) { got = "6 \(address.bits)" }
            } else if let address = try? IPv4Address(parsing: item.text) {
                got = "4 \(address.bits)"
            }
            let want = item.valid ? "\(item.version ?? 0) \(item.value ?? "")" : "refused"
            mismatches.check("'\(item.text)'", "reading", got, want)
        }
        #expect(mismatches.lines.isEmpty, mismatches.report(oracle.mutations.count))
    }

    @Test(
        "info --json agrees with ipaddress for the first 200 IPv4 and 100 IPv6 inputs",
        .enabled(if: hasOracle, "python3 is needed"))
    func jsonOutput() async throws {
        let oracle = try #require(PythonOracle.shared)
        var mismatches = Mismatches()
        for item in oracle.ipv4.prefix(200) {
            let result = await IPTestSupport.run("ip", "info", item.input, "--json")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
            mismatches.check(item.input, "network", object["network"] as? String ?? "", item.network)
            mismatches.check(
                item.input, "last_address", object["last_address"] as? String ?? "", item.broadcast)
            mismatches.check(
                item.input, "first_host", object["first_host"] as? String ?? "", item.firstHost)
            mismatches.check(
                item.input, "last_host", object["last_host"] as? String ?? "", item.lastHost)
            mismatches.check(
                item.input, "usable_hosts", "\(object["usable_hosts"] ?? "")", String(item.hostCount))
        }
        for item in oracle.ipv6.prefix(100) {
            let result = await IPTestSupport.run("ip", "info", item.input, "--json")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
            mismatches.check(item.input, "expanded", object["expanded"] as? String ?? "", item.exploded)
            mismatches.check(item.input, "network", object["network"] as? String ?? "", item.network)
            mismatches.check(
                item.input, "address_count", object["address_count"] as? String ?? "", item.numAddresses)
        }
        #expect(mismatches.lines.isEmpty, mismatches.report(300))
    }
}
