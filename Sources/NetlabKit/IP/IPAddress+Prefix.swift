extension IPAddress {
    /// Reads a prefix length such as `24`: decimal digits only, 0 to the address's bit count.
    static func decimalPrefixLength(_ text: String) throws(IPError) -> Int {
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
    /// Reads what follows the `/`: IPv6 writes only prefix lengths, never masks.
    public static func prefixLength(parsing text: String) throws(IPError) -> Int {
        try decimalPrefixLength(text)
    }
}
