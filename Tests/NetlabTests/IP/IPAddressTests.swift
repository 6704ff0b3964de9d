import Testing

@testable import NetlabIP

@Suite("IP addresses, masks and classes", .machineShare)
struct IPAddressTests {
    @Test("dotted IPv4 reads and prints back the same")
    func ipv4RoundTrip() throws {
        let address = try IPv4Address(parsing: "192.168.1.10")
        #expect(address.bits == 0xC0A8_010A)
        #expect(address.description == "192.168.1.10")
        #expect(address.binary == "11000000.10101000.00000001.00001010")
        #expect(address.hex == "0xc0a8010a")
    }

    @Test(
        "malformed IPv4 is refused with the bad part named",
        arguments: [
            ("256.1.1.1", "part 1 (256) is larger than 255"),
            ("1.2.3", "has 3 parts but an IPv4 address has 4"),
            ("1.2.3.4.5", "has 5 parts"),
            ("010.1.1.1", "part 1 '010' has a leading zero"),
            ("1..2.3", "empty part 2"),
            ("1.2.3.x", "part 4 'x' is not a decimal number"),
            ("", "the address is empty"),
        ])
    func badIPv4(text: String, message: String) {
        #expect {
            _ = try IPv4Address(parsing: text)
        } throws: { error in
            (error as? IPError)?.description.contains(message) == true
        }
    }

    @Test(
        "IPv6 prints in RFC 5952 form: longest zero run as ::, no leading zeros, IPv4-mapped dotted")
    func ipv6Compression() throws {
        #expect(
            try IPv6Address(parsing: "2001:0db8:0000:0000:0000:0000:0000:0001").description
                == "2001:db8::1")
        #expect(try IPv6Address(parsing: "1:0:0:1:0:0:0:1").description == "1:0:0:1::1")
        #expect(try IPv6Address(parsing: "1:0:1:0:1:0:1:0").description == "1:0:1:0:1:0:1:0")
        #expect(try IPv6Address(parsing: "::").description == "::")
        #expect(try IPv6Address(parsing: "::ffff:c000:201").description == "::ffff:192.0.2.1")
        #expect(try IPv6Address(parsing: "::1").expanded == "0000:0000:0000:0000:0000:0000:0000:0001")
    }

    @Test(
        "malformed IPv6 is refused with the bad part named",
        arguments: [
            ("1::2::3", "uses '::' twice"),
            ("12345::1", "group '12345' has more than 4 hex digits"),
            ("::g", "group 'g' is not hexadecimal"),
            ("1:2:3", "has 3 groups"),
            (":::1", "stray ':'"),
            ("fe80::1%eth0", "zone"),
        ])
    func badIPv6(text: String, message: String) {
        #expect {
            _ = try IPv6Address(parsing: text)
        } throws: { error in
            (error as? IPError)?.description.contains(message) == true
        }
    }

    @Test("a mask reads from a prefix, dotted, hex or wildcard form, and remembers which")
    func maskNotations() throws {
        let forms: [(String, SubnetMask.Notation)] = [
            ("24", .prefixLength), ("255.255.255.0", .dotted), ("0xffffff00", .hex),
            ("0.0.0.255", .wildcard),
        ]
        for (text, notation) in forms {
            let mask = try SubnetMask(parsing: text)
            #expect(mask.prefixLength == 24, "\(text)")
            #expect(mask.notation == notation, "\(text)")
        }
        #expect(try SubnetMask(parsing: "0.0.0.0").notation == .dotted)
        #expect(try SubnetMask(parsing: "255.255.255.255").prefixLength == 32)
    }

    @Test(
        "bad masks and prefixes are refused",
        arguments: [
            ("255.0.255.0", "ones are not contiguous"), ("33", "/33 is longer"),
            ("-1", "'-1' is not a whole number"),
            ("0xfff", "is not a mask"), ("", "the mask is empty"),
        ])
    func badMask(text: String, message: String) {
        #expect {
            _ = try SubnetMask(parsing: text)
        } throws: { error in
            (error as? IPError)?.description.contains(message) == true
        }
    }

    @Test(
        "classes follow the first octet's leading bits",
        arguments: [
            ("0.1.2.3", AddressClass.a), ("127.0.0.1", .a), ("128.0.0.1", .b), ("191.255.0.1", .b),
            ("192.0.0.1", .c),
            ("223.1.1.1", .c), ("224.0.0.1", .d), ("239.9.9.9", .d), ("240.0.0.1", .e),
            ("255.255.255.255", .e),
        ])
    func classes(text: String, expected: AddressClass) throws {
        #expect(AddressClass(of: try IPv4Address(parsing: text)) == expected)
    }

    @Test("special-purpose ranges pick the most specific registry entry")
    func specialRanges() throws {
        let cases: [(String, String?)] = [
            ("10.1.2.3", "private_use"), ("100.64.0.1", "shared_address_space"), ("192.0.0.5", "ds_lite"),
            ("192.0.0.100", "ietf_protocol_assignments"), ("198.19.0.1", "benchmarking"),
            ("255.255.255.255", "limited_broadcast"), ("250.1.1.1", "reserved"), ("8.8.8.8", nil),
        ]
        for (text, key) in cases {
            #expect(SpecialPurposeRange.of(try IPv4Address(parsing: text))?.key == key, "\(text)")
        }
        #expect(SpecialPurposeRange.of(try IPv6Address(parsing: "2001:db8::1"))?.key == "documentation")
        #expect(SpecialPurposeRange.of(try IPv6Address(parsing: "fd00::1"))?.key == "unique_local")
        #expect(SpecialPurposeRange.of(try IPv6Address(parsing: "2a00::1"))?.key == "global_unicast")
    }

    @Test("/31 and /32 hosts follow RFC 3021: both addresses on a /31, the one address on a /32")
    func pointToPoint() throws {
        let link = try IPNetwork<IPv4Address>(parsing: "10.0.0.0/31")
        #expect(link.usableHostCount == 2)
        #expect(link.broadcast == nil)
        #expect(link.firstHost.description == "10.0.0.0" && link.lastHost.description == "10.0.0.1")
        let host = try IPNetwork<IPv4Address>(parsing: "10.0.0.7/32")
        #expect(host.usableHostCount == 1 && host.firstHost == host.lastHost)
    }

    @Test("a network with host bits set is refused, naming the network meant")
    func hostBits() {
        #expect(throws: IPError.hostBitsSet(text: "192.168.1.10/24", network: "192.168.1.0/24")) {
            _ = try IPNetwork<IPv4Address>(parsing: "192.168.1.10/24")
        }
    }

    @Test("VLSM places the largest subnet first and refuses a request that does not fit")
    func vlsm() throws {
        let parent = try IPNetwork<IPv4Address>(parsing: "192.168.1.0/24")
        let plan = try SubnetPlan.vlsm(parent, hosts: [20, 100, 2, 50])
        #expect(
            plan.subnets.map(\.network.description) == [
                "192.168.1.0/25", "192.168.1.128/26", "192.168.1.192/27", "192.168.1.224/30",
            ])
        #expect(plan.subnets.map(\.requestedHosts) == [100, 50, 20, 2])
        #expect(
            plan.unused.map(\.description) == [
                "192.168.1.228/30", "192.168.1.232/29", "192.168.1.240/28",
            ])
        #expect(throws: IPError.self) { _ = try SubnetPlan.vlsm(parent, hosts: [200, 100]) }
    }

    @Test("an equal split into N takes the next power of two and leaves the rest unused")
    func equalSplit() throws {
        let parent = try IPNetwork<IPv4Address>(parsing: "10.0.0.0/24")
        let plan = try SubnetPlan.equal(parent, count: 3)
        #expect(
            plan.subnets.map(\.network.description) == ["10.0.0.0/26", "10.0.0.64/26", "10.0.0.128/26"])
        #expect(plan.unused.map(\.description) == ["10.0.0.192/26"])
        #expect(throws: IPError.self) { _ = try SubnetPlan.equal(parent, prefixLength: 20) }
    }

    @Test("summarizing merges duplicates, overlaps and neighbours, and cuts ranges into CIDRs")
    func summarize() throws {
        let items = [
            "10.0.0.0/24", "10.0.1.0/24", "10.0.1.0/24", "10.0.0.128/25", "10.0.3.0-10.0.3.255",
        ]
        let ranges = try items.map { text throws(IPError) in
            try NetworkSummary<IPv4Address>.item(parsing: text)
        }
        let summary = NetworkSummary(ranges: ranges)
        #expect(summary.networks.map(\.description) == ["10.0.0.0/23", "10.0.3.0/24"])
        #expect(summary.duplicateCount == 1 && summary.overlapCount == 1)
        let whole = IPAddressRange(first: IPv4Address(bits: 0), last: IPv4Address(bits: .max))
        #expect(whole.networks.map(\.description) == ["0.0.0.0/0"])
    }
}
