extension IPAddress {
    /// Reads a prefix length such as `24`: decimal digits only, 0 to the address's bit count.
    package static func decimalPrefixLength(_ text: String) throws(IPError) -> Int {
        let isDecimal =
            !text.isEmpty && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        guard isDecimal else { throw .prefixNotNumber(prefix: text, maximum: bitWidth) }
        guard let value = Int(text), value <= bitWidth else {
            throw .prefixTooLong(prefix: text, maximum: bitWidth)
        }
        return value
    }
}

extension IPv4Address {
    /// Reads what follows the `/`: a prefix length, or any mask `SubnetMask` reads.
    public static func prefixLength(parsing text: String) throws(IPError) -> Int {
        try SubnetMask(parsing: text).prefixLength
    }
}

extension IPv6Address {
    /// Reads what follows the `/`: a prefix length, or a mask written as an address (`ffff:ffff::`),
    /// as netlab prints it, though IPv6 itself writes only prefix lengths.
    public static func prefixLength(parsing text: String) throws(IPError) -> Int {
        guard looksLikeIPv6(text) else {
            if text.contains(".") { throw .ipv4MaskForIPv6(text: text) }
            return try decimalPrefixLength(text)
        }
        let bits = try IPv6Address(parsing: text).bits
        let ones = bits.leadingZeroBitCount == 0 ? (~bits).leadingZeroBitCount : 0
        guard bits == maskBits(prefixLength: ones) else { throw .nonContiguousIPv6Mask(text: text) }
        return ones
    }
}
