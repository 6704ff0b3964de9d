/// `netlab ip class`: an IPv4 address's class and special-purpose range.
extension IPReport {
    /// The class of `address` (A类 to E类): first-octet range, leading bits, default mask, classful network.
    public static func addressClass(of address: IPv4Address) -> IPReport {
        let addressClass = AddressClass(of: address)
        let firstOctet = Int(address.bits >> 24)
        let special = SpecialPurposeRange.of(address)
        let classful = addressClass.network(of: address)
        let range = addressClass.firstOctets
        let defaultMask = addressClass.defaultPrefixLength.map { SubnetMask(prefixLength: $0) }
        let lines = aligned([
            ("address", address.description),
            ("class", "\(addressClass.rawValue) (\(addressClass.purpose))"),
            ("first octet", "\(firstOctet) = \(IPv4Address.binary(of: UInt8(firstOctet)))"),
            (
                "leading bits",
                "\(addressClass.leadingBits) (every class \(addressClass.rawValue) address starts with \(addressClass.leadingBits.count == 1 ? "it" : "them"))"
            ),
            (
                "class range",
                "\(range.lowerBound).0.0.0 to \(range.upperBound).255.255.255 (first octet \(range.lowerBound)–\(range.upperBound))"
            ),
            (
                "default mask",
                defaultMask.map { "\($0.dotted) (/\($0.prefixLength))" }
                    ?? "none (class \(addressClass.rawValue) has no hosts)"
            ),
            ("classful network", classful?.description ?? "none"),
            (
                "special range",
                special.map { "\($0.network) \($0.name) (\($0.rfc))" } ?? "none (public unicast)"
            ),
        ])
        let json = IPJSON.object([
            .init("address", .string(address.description)),
            .init("class", .string(addressClass.rawValue)),
            .init("purpose", .string(addressClass.purpose)),
            .init("first_octet", .int(firstOctet)),
            .init("first_octet_binary", .string(IPv4Address.binary(of: UInt8(firstOctet)))),
            .init("leading_bits", .string(addressClass.leadingBits)),
            .init("first_octet_range", .array([.int(range.lowerBound), .int(range.upperBound)])),
            .init("default_mask", .optional(defaultMask?.dotted)),
            .init("default_prefix_length", addressClass.defaultPrefixLength.map { .int($0) } ?? .null),
            .init("classful_network", .optional(classful)),
            .init("special_range", specialJSON(special)),
        ])
        return IPReport(lines: lines, json: json)
    }
}
