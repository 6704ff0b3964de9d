/// How the network, broadcast and host range follow from an address and its mask.
extension IPExplanation {
    /// The IPv4 steps: binary, the AND with the mask, the OR with the wildcard, and the host count.
    public static func info(_ address: IPv4Address, mask: SubnetMask) -> IPExplanation {
        let network = IPNetwork(containing: address, prefixLength: mask.prefixLength)
        let prefix = mask.prefixLength
        let hostBits = network.hostBits
        var maskStep = [
            "The mask /\(prefix) is \(prefix) ones (network bits) followed by \(hostBits) \(hostBits == 1 ? "zero" : "zeros") (host bits):",
            "  \(mask.dotted) = \(mask.dotted.binary)",
        ]
        if mask.notation == .wildcard {
            maskStep.append(
                "It was given as the wildcard \(mask.wildcard), which is the mask with every bit flipped.")
        }
        var steps: [[String]] = [
            [
                "Write the address in binary, 8 bits for each of its four numbers:",
                "  \(address) = \(address.binary)",
            ],
            maskStep,
            [
                "The network address is the address AND the mask: a bit stays 1 only where both bits are 1,",
                "so the network bits are kept and every host bit becomes 0:",
            ]
                + bitwise(
                    "AND", (address.binary, address.description),
                    (mask.dotted.binary, mask.dotted.description),
                    (network.first.binary, network.first.description)),
            [
                "The last address has every host bit set to 1: the network address OR the wildcard mask:"
            ]
                + bitwise(
                    "OR", (network.first.binary, network.first.description),
                    (mask.wildcard.binary, mask.wildcard.description),
                    (network.last.binary, network.last.description)),
        ]
        switch prefix {
        case 32:
            steps.append([
                "32 − 32 = 0 host bits leave 2^0 = 1 address: a /32 names a single host, with no network or broadcast address."
            ])
        case 31:
            steps.append([
                "32 − 31 = 1 host bit gives 2^1 = 2 addresses. Normally both would be reserved, leaving no host,",
                "but RFC 3021 lets a point-to-point link use a /31: both \(network.first) and \(network.last) are hosts,",
                "and there is no broadcast address.",
            ])
        default:
            steps.append([
                "32 − \(prefix) = \(hostBits) host bits give 2^\(hostBits) = \(network.addressCount) addresses. The host part all zeros is the",
                "network address (\(network.first)) and all ones the broadcast address (\(network.last)), so",
                "2^\(hostBits) − 2 = \(network.usableHostCount) addresses are usable hosts: \(network.firstHost) to \(network.lastHost).",
            ])
        }
        let addressClass = AddressClass(of: address)
        let firstOctet = UInt8(address.bits >> 24)
        var classStep = [
            "The first octet \(firstOctet) = \(IPv4Address.binary(of: firstOctet)) starts with \(addressClass.leadingBits), so the address is class \(addressClass.rawValue)"
        ]
        if let classful = addressClass.network(of: address) {
            classStep[0] += ";"
            classStep.append(
                "without a mask it would belong to the classful network \(classful) (default mask /\(classful.prefixLength))."
            )
        } else {
            classStep[0] += " (\(addressClass.purpose))."
        }
        steps.append(classStep)
        return IPExplanation(steps: steps)
    }

    /// The IPv6 steps: the expanded form, which groups the prefix keeps, the AND, and the address count.
    public static func info(_ address: IPv6Address, prefixLength: Int) -> IPExplanation {
        let network = IPNetwork(containing: address, prefixLength: prefixLength)
        let fullGroups = prefixLength / 16
        let partialBits = prefixLength % 16
        var keep = "the first \(fullGroups) group\(fullGroups == 1 ? "" : "s")"
        if partialBits > 0 { keep += " and the first \(partialBits) bits of group \(fullGroups + 1)" }
        return IPExplanation(steps: [
            [
                "Expand the address: '::' stands for as many zero groups as are missing, and each group gets 4 hex digits:",
                "  \(address) = \(address.expanded)",
            ],
            [
                "Each hex digit is 4 bits and each group 16, so /\(prefixLength) keeps \(keep);",
                "the other \(network.hostBits) bits are the interface ID.",
            ],
            [
                "The network is the address AND the mask (ones for the first \(prefixLength) bits):"
            ]
                + bitwise(
                    "AND", (address.expanded, address.description),
                    (network.mask.expanded, "/\(prefixLength)"),
                    (network.first.expanded, network.first.description)),
            [
                "The last address sets every interface bit to 1:",
                "  \(network.last.expanded) = \(network.last)",
            ],
            [
                "128 − \(prefixLength) = \(network.hostBits) interface bits give 2^\(network.hostBits) = \(network.addressCountText) addresses.",
                "IPv6 has no broadcast address (multicast does that job), so none is set aside for it.",
            ],
        ])
    }
}
