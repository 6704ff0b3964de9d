/// The classful addressing of RFC 791 (1981): the first bits of an IPv4 address name its class (A类 to E类).
///
/// Classes were replaced by CIDR in 1993 (RFC 1519), but they still name default masks and are taught first.
public enum AddressClass: String, CaseIterable, Sendable {
    case a = "A"
    case b = "B"
    case c = "C"
    case d = "D"
    case e = "E"

    /// The class of an address, read from its first bits.
    public init(of address: IPv4Address) {
        let firstOctet = address.bits >> 24
        switch firstOctet {
        case 0...127: self = .a
        case 128...191: self = .b
        case 192...223: self = .c
        case 224...239: self = .d
        default: self = .e
        }
    }

    /// The bits every address of the class starts with.
    public var leadingBits: String {
        switch self {
        case .a: "0"
        case .b: "10"
        case .c: "110"
        case .d: "1110"
        case .e: "1111"
        }
    }

    /// The first octets the class covers: the leading bits followed by all zeros, then all ones.
    public var firstOctets: ClosedRange<Int> {
        switch self {
        case .a: 0...127
        case .b: 128...191
        case .c: 192...223
        case .d: 224...239
        case .e: 240...255
        }
    }

    /// The classful prefix length (8, 16, 24); nil for D (multicast) and E (reserved), which have no hosts.
    public var defaultPrefixLength: Int? {
        switch self {
        case .a: 8
        case .b: 16
        case .c: 24
        case .d, .e: nil
        }
    }

    /// What the class is for, in a few words.
    public var purpose: String {
        switch self {
        case .a: "unicast: 126 usable networks (2^7 − 2: 0 and 127 are reserved) of 16,777,214 hosts each"
        case .b: "unicast: 16,384 networks of 65,534 hosts each"
        case .c: "unicast: 2,097,152 networks of 254 hosts each"
        case .d: "multicast groups, no networks or hosts"
        case .e: "reserved for future use, experimental"
        }
    }

    /// The classful network holding `address`, or nil for classes D and E.
    public func network(of address: IPv4Address) -> IPNetwork<IPv4Address>? {
        defaultPrefixLength.map { IPNetwork(containing: address, prefixLength: $0) }
    }
}
