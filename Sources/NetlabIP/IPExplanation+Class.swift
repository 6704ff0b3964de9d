/// How an address's class is read from its first bits.
extension IPExplanation {
    /// The steps from the first octet to the class, its range and its default mask.
    public static func addressClass(of address: IPv4Address) -> IPExplanation {
        let addressClass = AddressClass(of: address)
        let firstOctet = UInt8(address.bits >> 24)
        let binary = IPv4Address.binary(of: firstOctet)
        var table: [String] = []
        for candidate in AddressClass.allCases {
            let pattern =
                candidate.leadingBits + String(repeating: "x", count: 8 - candidate.leadingBits.count)
            let range = "\(candidate.firstOctets.lowerBound)–\(candidate.firstOctets.upperBound)"
            let mark =
                candidate == addressClass ? "  ← \(binary) starts with \(candidate.leadingBits)" : ""
            table.append("  \(pattern)  class \(candidate.rawValue)  \(range)\(mark)")
        }
        let low = octet(leadingBits: addressClass.leadingBits, filledWith: "0")
        let high = octet(leadingBits: addressClass.leadingBits, filledWith: "1")
        var steps: [[String]] = [
            ["The first octet of \(address) is \(firstOctet), which is \(binary) in binary."],
            ["Compare its first bits with each class's leading bits (x is any bit):"] + table,
            [
                "Class \(addressClass.rawValue) runs from its leading bits followed by all zeros, \(low) = \(addressClass.firstOctets.lowerBound),",
                "to its leading bits followed by all ones, \(high) = \(addressClass.firstOctets.upperBound).",
            ],
        ]
        if let prefix = addressClass.defaultPrefixLength {
            let mask = SubnetMask(prefixLength: prefix)
            steps.append([
                "In class \(addressClass.rawValue) the first \(prefix / 8) octet\(prefix == 8 ? "" : "s") (\(prefix) bits) number the network and the other \(32 - prefix) bits the host,",
                "so the default mask is \(mask.dotted) (/\(prefix)) and the classful network is \(addressClass.network(of: address)!).",
            ])
        } else if addressClass == .d {
            steps.append([
                "Class D addresses name multicast groups, not hosts on a network, so there is no default mask."
            ])
        } else {
            steps.append([
                "Class E is reserved (RFC 1112) and has no default mask. Some textbooks give it as 240–247 (leading bits 11110);",
                "RFC 1112 reserves all of 240–255.",
            ])
        }
        steps.append([
            "Classes were replaced by CIDR in 1993 (RFC 1519): today the prefix length, not the class, says where the network part ends."
        ])
        return IPExplanation(steps: steps)
    }

    private static func octet(leadingBits: String, filledWith filler: Character) -> String {
        leadingBits + String(repeating: filler, count: 8 - leadingBits.count)
    }
}
