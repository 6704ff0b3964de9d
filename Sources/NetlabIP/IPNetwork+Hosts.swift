/// The host facts of an IPv4 network: broadcast, usable hosts, class.
extension IPNetwork where Address == IPv4Address {
    /// How many addresses the network holds: 2^hostBits.
    public var addressCount: Int { 1 << hostBits }

    /// Whether this is a /31 point-to-point link, whose two addresses are both hosts (RFC 3021).
    public var isPointToPoint: Bool { prefixLength == 31 }

    /// The directed broadcast address (all host bits one), or nil for /31 and /32, which have none.
    public var broadcast: IPv4Address? { prefixLength >= 31 ? nil : last }

    /// The first address a host may use: after the network address, except on /31 and /32.
    public var firstHost: IPv4Address {
        prefixLength >= 31 ? first : IPv4Address(bits: first.bits + 1)
    }

    /// The last address a host may use: before the broadcast address, except on /31 and /32.
    public var lastHost: IPv4Address { prefixLength >= 31 ? last : IPv4Address(bits: last.bits - 1) }

    /// How many hosts fit: 2^h − 2 (the network and broadcast addresses are not hosts),
    /// but 2 on a /31 (RFC 3021) and 1 on a /32.
    public var usableHostCount: Int { prefixLength >= 31 ? addressCount : addressCount - 2 }

    /// The network's address class, from its first address.
    public var addressClass: AddressClass { AddressClass(of: address) }
}
