/// An IPv4 subnet mask (子网掩码): 32 bits, ones for the network part, then zeros for the host part.
///
/// It may be written as a prefix length (`24`), dotted (`255.255.255.0`), hex (`0xffffff00`), or as
/// Cisco's wildcard (`0.0.0.255`), the mask's inverse; `notation` remembers which was used.
public struct SubnetMask: Hashable, Sendable {
    /// How a mask was written.
    public enum Notation: String, Sendable {
        case prefixLength = "prefix_length"
        case dotted
        case hex
        case wildcard
    }

    /// The number of ones, 0 to 32.
    public let prefixLength: Int
    public let notation: Notation

    public init(prefixLength: Int, notation: Notation = .prefixLength) {
        precondition((0...32).contains(prefixLength), "IPv4 prefix length out of range")
        self.prefixLength = prefixLength
        self.notation = notation
    }

    /// Reads any of the four notations; a dotted value that is ones-then-zeros is a mask,
    /// zeros-then-ones a wildcard (so `0.0.0.0` and `255.255.255.255` read as masks, as in Python).
    public init(parsing text: String) throws(IPError) {
        if text.isEmpty { throw .empty(what: "mask") }
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            let digits = text.dropFirst(2)
            guard digits.utf8.count == 8, digits.allSatisfy(\.isHexDigit),
                let bits = UInt32(digits, radix: 16)
            else {
                throw .unreadableMask(text: text)
            }
            guard let prefix = Self.prefixLength(ofMask: bits) else {
                throw .nonContiguousMask(text: text, binary: IPv4Address(bits: bits).binary)
            }
            self.init(prefixLength: prefix, notation: .hex)
        } else if text.contains(".") {
            let bits = try IPv4Address(parsing: text).bits
            if let prefix = Self.prefixLength(ofMask: bits) {
                self.init(prefixLength: prefix, notation: .dotted)
            } else if let prefix = Self.prefixLength(ofMask: ~bits) {
                self.init(prefixLength: prefix, notation: .wildcard)
            } else {
                throw .nonContiguousMask(text: text, binary: IPv4Address(bits: bits).binary)
            }
        } else {
            self.init(prefixLength: try IPv4Address.decimalPrefixLength(text), notation: .prefixLength)
        }
    }

    /// The prefix length of a mask that is ones then zeros, or nil when its ones are not contiguous.
    static func prefixLength(ofMask bits: UInt32) -> Int? {
        let hostPart = ~bits
        // The host part is 0...01...1 exactly when adding one clears all its ones.
        guard hostPart & (hostPart &+ 1) == 0 else { return nil }
        return hostPart.leadingZeroBitCount
    }

    /// The mask as an address: `255.255.255.0`.
    public var dotted: IPv4Address {
        IPv4Address(bits: IPv4Address.maskBits(prefixLength: prefixLength))
    }

    /// The inverse mask: `0.0.0.255`.
    public var wildcard: IPv4Address { IPv4Address(bits: ~dotted.bits) }

    /// The mask in hex: `0xffffff00`.
    public var hex: String { dotted.hex }
}
