/// A network (网络地址 plus prefix length), such as `192.168.1.0/24` or `2001:db8::/32`:
/// every address whose first `prefixLength` bits equal the network address's.
public struct IPNetwork<Address: IPAddress>: Hashable, Sendable, CustomStringConvertible {
    /// The first address, whose host bits are all zero.
    public let address: Address
    /// How many leading bits name the network; the rest name a host.
    public let prefixLength: Int

    /// The network of `prefixLength` bits that holds `address`: the address AND the mask.
    public init(containing address: Address, prefixLength: Int) {
        precondition((0...Address.bitWidth).contains(prefixLength), "prefix length out of range")
        self.address = Address(bits: address.bits & Address.maskBits(prefixLength: prefixLength))
        self.prefixLength = prefixLength
    }

    /// Reads `ADDRESS/PREFIX` (IPv4 also `ADDRESS/MASK`), or a bare address as a one-address network.
    ///
    /// Host bits must be zero, as with Python's `ip_network(strict=True)`: `192.168.1.10/24` names a host,
    /// not a network, and is refused with the network it probably meant.
    public init(parsing text: String) throws(IPError) {
        if text.isEmpty { throw .empty(what: "network") }
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let address = try Address(parsing: String(parts[0]))
        let prefixLength =
            parts.count == 2 ? try Address.prefixLength(parsing: String(parts[1])) : Address.bitWidth
        let network = IPNetwork(containing: address, prefixLength: prefixLength)
        guard network.address == address else {
            throw .hostBitsSet(text: text, network: network.description)
        }
        self = network
    }

    /// The mask: `prefixLength` ones, then zeros.
    public var mask: Address { Address(bits: Address.maskBits(prefixLength: prefixLength)) }

    /// The inverse of the mask (Cisco's wildcard, Python's hostmask): zeros, then ones for the host bits.
    public var wildcard: Address { Address(bits: ~Address.maskBits(prefixLength: prefixLength)) }

    /// How many bits are left for hosts: the address width minus the prefix length.
    public var hostBits: Int { Address.bitWidth - prefixLength }

    /// The first address (the network address itself).
    public var first: Address { address }

    /// The last address: the network address with every host bit set.
    public var last: Address { Address(bits: address.bits | wildcard.bits) }

    /// Every address from first to last.
    public var range: IPAddressRange<Address> { IPAddressRange(first: first, last: last) }

    /// How many addresses the network holds, 2^hostBits, in decimal (2^128 does not fit in 128 bits).
    public var addressCountText: String { Self.powerOfTwo(hostBits) }

    /// Whether `other` lies in this network.
    public func contains(_ other: Address) -> Bool {
        other.bits & Address.maskBits(prefixLength: prefixLength) == address.bits
    }

    /// Whether all of `other` lies in this network.
    public func contains(_ other: IPNetwork) -> Bool {
        other.prefixLength >= prefixLength && contains(other.address)
    }

    /// `address/prefixLength`.
    public var description: String { "\(address)/\(prefixLength)" }

    /// 2^exponent in decimal, exact for every exponent from 0 to 128.
    static func powerOfTwo(_ exponent: Int) -> String {
        if exponent < 128 { return String(UInt128(1) << exponent) }
        return "340282366920938463463374607431768211456"
    }
}
