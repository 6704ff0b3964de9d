import Foundation
import Testing

@testable import NetlabIP

/// netlab against Debian's `ipcalc` (Perl) and `sipcalc` (C) on a fixed sample.
@Suite("IP calculator against ipcalc and sipcalc", .machineShare, .tags(.integration, .slow))
struct IPToolComparisonTests {
    static let sample = [
        "192.168.1.10/24", "10.0.0.1/8", "172.16.5.4/20", "192.168.0.1/30", "192.168.0.1/31",
        "192.168.0.1/32",
        "0.0.0.0/0", "255.255.255.255/1", "100.64.3.2/10", "203.0.113.77/27", "8.8.8.8/16",
        "224.0.0.251/4",
    ]

    /// The value after `label` on the first line that starts with it.
    private static func value(after label: String, in output: String) -> String? {
        for line in output.split(separator: "\n") where line.hasPrefix(label) {
            return line.dropFirst(label.count).split(separator: " ").first.map(String.init)
        }
        return nil
    }

    @Test(
        "network, host range, broadcast, host count and class agree with ipcalc",
        .enabled(if: Tools.isInstalled("ipcalc")))
    func ipcalc() async throws {
        let ipcalc = try #require(Tools.path(of: "ipcalc"))
        for input in Self.sample {
            let output = try #require(await IPTestSupport.output(of: ipcalc, ["-n", "-b", input]))
            guard case .v4(let address, let mask) = try IPInterface(parsing: input) else { continue }
            let network = IPNetwork(containing: address, prefixLength: mask.prefixLength)
            #expect(Self.value(after: "Netmask:", in: output) == mask.dotted.description, "\(input)")
            #expect(Self.value(after: "Wildcard:", in: output) == mask.wildcard.description, "\(input)")
            #expect(
                Self.value(after: "Hosts/Net:", in: output) == String(network.usableHostCount), "\(input)")
            if mask.prefixLength == 32 {
                #expect(Self.value(after: "Hostroute:", in: output) == address.description, "\(input)")
                continue
            }
            #expect(Self.value(after: "Network:", in: output) == network.description, "\(input)")
            #expect(
                Self.value(after: "HostMin:", in: output) == network.firstHost.description, "\(input)")
            #expect(Self.value(after: "HostMax:", in: output) == network.lastHost.description, "\(input)")
            #expect(
                Self.value(after: "Broadcast:", in: output) == network.broadcast?.description, "\(input)")
            // ipcalc names the class of the network address; it equals the address's class from /4 on.
            if mask.prefixLength >= 4, let match = output.firstMatch(of: /Class ([A-E])/) {
                #expect(String(match.1) == AddressClass(of: address).rawValue, "\(input)")
            }
        }
    }

    @Test(
        "network, broadcast, masks, ranges and counts agree with sipcalc",
        .enabled(if: Tools.isInstalled("sipcalc")))
    func sipcalc() async throws {
        let sipcalc = try #require(Tools.path(of: "sipcalc"))
        for input in Self.sample {
            let output = try #require(await IPTestSupport.output(of: sipcalc, [input]))
            guard case .v4(let address, let mask) = try IPInterface(parsing: input) else { continue }
            let network = IPNetwork(containing: address, prefixLength: mask.prefixLength)
            func field(_ label: String) -> String? {
                for line in output.split(separator: "\n") where line.hasPrefix(label + "\t") {
                    return line.split(separator: "- ", maxSplits: 1).last.map(String.init)
                }
                return nil
            }
            #expect(field("Host address (decimal)") == String(address.bits), "\(input)")
            // sipcalc prints hex without leading zeros, so the values are compared as numbers.
            #expect(
                field("Host address (hex)").flatMap { UInt32($0, radix: 16) } == address.bits, "\(input)")
            #expect(field("Network address") == network.first.description, "\(input)")
            #expect(field("Network mask") == mask.dotted.description, "\(input)")
            #expect(
                field("Network mask (hex)").flatMap { UInt32($0, radix: 16) } == mask.dotted.bits,
                "\(input)")
            #expect(field("Cisco wildcard") == mask.wildcard.description, "\(input)")
            // sipcalc prints the last address as the broadcast even on /31 and /32.
            #expect(field("Broadcast address") == network.last.description, "\(input)")
            #expect(field("Network range") == "\(network.first) - \(network.last)", "\(input)")
            if mask.prefixLength <= 30 {
                #expect(field("Usable range") == "\(network.firstHost) - \(network.lastHost)", "\(input)")
            }
            // sipcalc 1.1.6 prints 2^32 − 1 for /0; every other count must agree.
            if mask.prefixLength > 0 {
                #expect(field("Addresses in network") == String(network.addressCount), "\(input)")
            }
        }
    }
}
