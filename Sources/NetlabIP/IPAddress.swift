/// What IPv4 and IPv6 addresses share: a fixed number of bits read as one unsigned number.
///
/// Networks, ranges, splitting and summarizing are written once against this protocol.
public protocol IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The unsigned integer that holds the address: `UInt32` or `UInt128`.
    associatedtype Bits: FixedWidthInteger & UnsignedInteger & Sendable

    /// 4 or 6.
    static var version: Int { get }
    /// The address's value as one number.
    var bits: Bits { get }
    init(bits: Bits)
    /// Reads the address's usual text form, throwing an error that names the bad part.
    init(parsing text: String) throws(IPError)
    /// Reads what follows the `/` in `ADDRESS/PREFIX`.
    static func prefixLength(parsing text: String) throws(IPError) -> Int
}

extension IPAddress {
    /// 32 for IPv4, 128 for IPv6.
    public static var bitWidth: Int { Bits.bitWidth }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.bits < rhs.bits }

    /// The mask with `prefixLength` ones on the left and zeros after.
    static func maskBits(prefixLength: Int) -> Bits {
        prefixLength == 0 ? 0 : ~Bits(0) << (bitWidth - prefixLength)
    }

    /// Whether an address's text is IPv6 (it has a colon) rather than IPv4.
    package static func looksLikeIPv6(_ text: some StringProtocol) -> Bool { text.contains(":") }
}
