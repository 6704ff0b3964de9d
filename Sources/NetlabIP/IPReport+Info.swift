/// `netlab ip info`: every fact about an address and its network.
extension IPReport {
    /// The facts of an IPv4 address with its mask, with a binary view marking network and host bits.
    public static func info(_ address: IPv4Address, mask: SubnetMask, usesColor: Bool = false)
        -> IPReport
    {
        let network = IPNetwork(containing: address, prefixLength: mask.prefixLength)
        let special = SpecialPurposeRange.of(address)
        let addressClass = AddressClass(of: address)
        let classful = addressClass.network(of: address)
        let hostBits = network.hostBits

        var maskText = "\(mask.dotted) = /\(mask.prefixLength) = \(mask.hex)"
        switch mask.notation {
        case .wildcard: maskText += " (read from the wildcard mask \(mask.wildcard))"
        case .hex: maskText += " (read from the hex mask)"
        case .prefixLength, .dotted: break
        }
        let broadcastText: String
        let hostsText: String
        switch network.prefixLength {
        case 32:
            broadcastText = "none (a /32 is a single host)"
            hostsText = "1 (a /32 is a single host)"
        case 31:
            broadcastText = "none (a /31 is a point-to-point link, RFC 3021)"
            hostsText = "2 (a /31 point-to-point link uses both addresses, RFC 3021)"
        default:
            broadcastText = network.last.description
            hostsText = "\(network.usableHostCount) (2^\(hostBits) − 2)"
        }
        let classText =
            classful.map { "\(addressClass.rawValue), classful network \($0)" }
            ?? "\(addressClass.rawValue) (\(addressClass.purpose))"
        var lines = aligned([
            ("address", address.description),
            ("decimal", String(address.bits)),
            ("hex", address.hex),
            ("mask", maskText),
            ("wildcard", mask.wildcard.description),
            ("network", network.description),
            ("broadcast", broadcastText),
            ("first host", network.firstHost.description),
            ("last host", network.lastHost.description),
            ("usable hosts", hostsText),
            ("addresses", "\(network.addressCount) (2^\(hostBits)), \(network.first) to \(network.last)"),
            ("class", classText),
            (
                "special range",
                special.map { "\($0.network) \($0.name) (\($0.rfc))" } ?? "none (public unicast)"
            ),
        ])
        lines.append("")
        lines.append("binary (network bits | host bits):")
        var binaryRows: [(label: String, value: String)] = [
            ("address", marked(address.binary, networkBits: mask.prefixLength, usesColor: usesColor)),
            ("mask", marked(mask.dotted.binary, networkBits: mask.prefixLength, usesColor: usesColor)),
            (
                "network",
                marked(network.first.binary, networkBits: mask.prefixLength, usesColor: usesColor)
            ),
        ]
        if let broadcast = network.broadcast {
            binaryRows.append(
                (
                    "broadcast",
                    marked(broadcast.binary, networkBits: mask.prefixLength, usesColor: usesColor)
                ))
        }
        lines.append(contentsOf: aligned(binaryRows).map { "  " + $0 })

        let json = IPJSON.object([
            .init("version", .int(4)),
            .init("address", .string(address.description)),
            .init("address_decimal", .int(address.bits)),
            .init("address_hex", .string(address.hex)),
            .init("prefix_length", .int(mask.prefixLength)),
            .init("mask", .string(mask.dotted.description)),
            .init("mask_hex", .string(mask.hex)),
            .init("mask_notation", .string(mask.notation.rawValue)),
            .init("wildcard", .string(mask.wildcard.description)),
            .init("network", .string(network.first.description)),
            .init("cidr", .string(network.description)),
            .init("broadcast", .optional(network.broadcast)),
            .init("first_host", .string(network.firstHost.description)),
            .init("last_host", .string(network.lastHost.description)),
            .init("usable_hosts", .int(network.usableHostCount)),
            .init("first_address", .string(network.first.description)),
            .init("last_address", .string(network.last.description)),
            .init("address_count", .int(network.addressCount)),
            .init("class", .string(addressClass.rawValue)),
            .init("classful_network", .optional(classful)),
            .init("special_range", specialJSON(special)),
            .init(
                "binary",
                .object([
                    .init("address", .string(address.binary)),
                    .init("mask", .string(mask.dotted.binary)),
                    .init("network", .string(network.first.binary)),
                    .init("broadcast", .optional(network.broadcast?.binary)),
                ])),
        ])
        return IPReport(lines: lines, json: json)
    }

    /// The facts of an IPv6 address with its prefix length: forms, network, range, count and type.
    public static func info(_ address: IPv6Address, prefixLength: Int, usesColor: Bool = false)
        -> IPReport
    {
        let network = IPNetwork(containing: address, prefixLength: prefixLength)
        let special = SpecialPurposeRange.of(address)
        let interfaceID = IPv6Address(bits: address.bits & network.wildcard.bits)
        var rows: [(label: String, value: String)] = [
            ("address", address.description),
            ("expanded", address.expanded),
            ("prefix length", "/\(prefixLength)"),
            ("mask", network.mask.description),
            ("network", network.description),
            ("interface ID", "\(interfaceID) (the last \(network.hostBits) bits)"),
            ("first address", network.first.description),
            ("last address", network.last.description),
            ("addresses", "\(network.addressCountText) (2^\(network.hostBits))"),
            (
                "type",
                special.map { "\($0.name) (\($0.network), \($0.rfc))" } ?? "reserved (not assigned by IANA)"
            ),
        ]
        if let ipv4 = address.mappedIPv4 { rows.append(("IPv4 address", ipv4.description)) }
        var lines = aligned(rows)
        lines.append("")
        lines.append("binary (network bits | interface bits):")
        lines.append(
            contentsOf: aligned([
                ("address", marked(address.binary, networkBits: prefixLength, usesColor: usesColor)),
                ("mask", marked(network.mask.binary, networkBits: prefixLength, usesColor: usesColor)),
                ("network", marked(network.first.binary, networkBits: prefixLength, usesColor: usesColor)),
            ]).map { "  " + $0 })

        let json = IPJSON.object([
            .init("version", .int(6)),
            .init("address", .string(address.description)),
            .init("expanded", .string(address.expanded)),
            .init("prefix_length", .int(prefixLength)),
            .init("mask", .string(network.mask.description)),
            .init("network", .string(network.first.description)),
            .init("cidr", .string(network.description)),
            .init("interface_id", .string(interfaceID.description)),
            .init("first_address", .string(network.first.description)),
            .init("last_address", .string(network.last.description)),
            .init("address_count", .string(network.addressCountText)),
            .init("type", .string(special?.key ?? "reserved")),
            .init("special_range", specialJSON(special)),
            .init("ipv4_mapped", .optional(address.mappedIPv4)),
        ])
        return IPReport(lines: lines, json: json)
    }

    /// A special-purpose range as a JSON object, or null.
    static func specialJSON<Address>(_ range: SpecialPurposeRange<Address>?) -> IPJSON {
        guard let range else { return .null }
        return .object([
            .init("cidr", .string(range.network.description)),
            .init("key", .string(range.key)),
            .init("name", .string(range.name)),
            .init("rfc", .string(range.rfc)),
        ])
    }

    /// A binary address with ` | ` between its network bits and its host bits (replacing a `.` or `:`
    /// that falls there), the two parts coloured when colour is on.
    static func marked(_ binary: String, networkBits: Int, usesColor: Bool) -> String {
        var network = ""
        var host = ""
        var bitsSeen = 0
        var isSplit = networkBits == 0
        for character in binary {
            let isBit = character == "0" || character == "1"
            if !isSplit, bitsSeen == networkBits {
                isSplit = true
                if !isBit { continue }  // the separator at the boundary gives way to the marker
            }
            if isSplit {
                host.append(character)
            } else {
                network.append(character)
                if isBit { bitsSeen += 1 }
            }
        }
        if usesColor {
            network = network.isEmpty ? "" : "\u{1B}[32m\(network)\u{1B}[0m"
            host = host.isEmpty ? "" : "\u{1B}[33m\(host)\u{1B}[0m"
        }
        if network.isEmpty { return "| " + host }
        if host.isEmpty { return network + " |" }
        return network + " | " + host
    }
}
