/// IANA's special-purpose address registries, as netlab knows them (RFC 6890 and its updates).
enum SpecialPurposeRegistry {
    /// The IPv4 special-purpose ranges, with multicast (RFC 5771) and former class E added. Numbers, not
    /// "10.0.0.0/8" text: parsing eighteen strings was a quarter of `netlab ip info`'s start-up.
    static let ipv4: [SpecialPurposeRange<IPv4Address>] = [
        .init(IPv4Address(0, 0, 0, 0), 8, "this_network", "\"this network\"", "RFC 791"),
        .init(IPv4Address(0, 0, 0, 0), 32, "this_host", "\"this host on this network\"", "RFC 1122"),
        .init(IPv4Address(10, 0, 0, 0), 8, "private_use", "private-use", "RFC 1918"),
        .init(
            IPv4Address(100, 64, 0, 0), 10, "shared_address_space", "shared address space (carrier-grade NAT)",
            "RFC 6598"),
        .init(IPv4Address(127, 0, 0, 0), 8, "loopback", "loopback", "RFC 1122"),
        .init(IPv4Address(169, 254, 0, 0), 16, "link_local", "link-local", "RFC 3927"),
        .init(IPv4Address(172, 16, 0, 0), 12, "private_use", "private-use", "RFC 1918"),
        .init(IPv4Address(192, 0, 0, 0), 24, "ietf_protocol_assignments", "IETF protocol assignments", "RFC 6890"),
        .init(IPv4Address(192, 0, 0, 0), 29, "ds_lite", "IPv4 service continuity prefix (DS-Lite)", "RFC 7335"),
        .init(IPv4Address(192, 0, 2, 0), 24, "documentation", "documentation (TEST-NET-1)", "RFC 5737"),
        .init(IPv4Address(192, 88, 99, 0), 24, "6to4_relay_anycast", "6to4 relay anycast (deprecated)", "RFC 7526"),
        .init(IPv4Address(192, 168, 0, 0), 16, "private_use", "private-use", "RFC 1918"),
        .init(IPv4Address(198, 18, 0, 0), 15, "benchmarking", "benchmarking", "RFC 2544"),
        .init(IPv4Address(198, 51, 100, 0), 24, "documentation", "documentation (TEST-NET-2)", "RFC 5737"),
        .init(IPv4Address(203, 0, 113, 0), 24, "documentation", "documentation (TEST-NET-3)", "RFC 5737"),
        .init(IPv4Address(224, 0, 0, 0), 4, "multicast", "multicast", "RFC 5771"),
        .init(IPv4Address(240, 0, 0, 0), 4, "reserved", "reserved (former class E)", "RFC 1112"),
        .init(IPv4Address(255, 255, 255, 255), 32, "limited_broadcast", "limited broadcast", "RFC 919"),
    ]

    /// The IPv6 address types and special-purpose ranges (RFC 4291, RFC 6890 and updates).
    static let ipv6: [SpecialPurposeRange<IPv6Address>] = [
        .init("::/128", "unspecified", "unspecified address", "RFC 4291"),
        .init("::1/128", "loopback", "loopback", "RFC 4291"),
        .init("::ffff:0:0/96", "ipv4_mapped", "IPv4-mapped", "RFC 4291"),
        .init("64:ff9b::/96", "ipv4_ipv6_translation", "IPv4-IPv6 translation", "RFC 6052"),
        .init("100::/64", "discard_only", "discard-only", "RFC 6666"),
        .init("2000::/3", "global_unicast", "global unicast", "RFC 4291"),
        .init("2001::/32", "teredo", "Teredo (global unicast)", "RFC 4380"),
        .init("2001:db8::/32", "documentation", "documentation", "RFC 3849"),
        .init("2002::/16", "6to4", "6to4 (global unicast)", "RFC 3056"),
        .init("fc00::/7", "unique_local", "unique local", "RFC 4193"),
        .init("fe80::/10", "link_local", "link-local unicast", "RFC 4291"),
        .init("ff00::/8", "multicast", "multicast", "RFC 4291"),
    ]
}
