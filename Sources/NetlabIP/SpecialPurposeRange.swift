/// One entry of IANA's special-purpose address registries (RFC 6890 and its updates), such as
/// `10.0.0.0/8`, private-use, RFC 1918.
public struct SpecialPurposeRange<Address: IPAddress>: Sendable {
    public let network: IPNetwork<Address>
    /// A stable snake_case name for `--json`, such as `private_use`.
    public let key: String
    /// The registry's name, such as `private-use`.
    public let name: String
    /// The RFC that assigns the range.
    public let rfc: String

    init(_ cidr: String, _ key: String, _ name: String, _ rfc: String) {
        do {
            network = try IPNetwork(parsing: cidr)
        } catch {
            preconditionFailure("registry entry \(cidr) is malformed: \(error)")
        }
        self.key = key
        self.name = name
        self.rfc = rfc
    }

    init(_ network: Address, _ prefixLength: Int, _ key: String, _ name: String, _ rfc: String) {
        self.network = IPNetwork(containing: network, prefixLength: prefixLength)
        self.key = key
        self.name = name
        self.rfc = rfc
    }

    /// The most specific entry of `registry` that holds `address`, or nil.
    static func lookUp(_ address: Address, in registry: [SpecialPurposeRange]) -> SpecialPurposeRange? {
        registry.filter { $0.network.contains(address) }.max {
            $0.network.prefixLength < $1.network.prefixLength
        }
    }
}

extension SpecialPurposeRange where Address == IPv4Address {
    /// The special-purpose range holding `address`, or nil for ordinary (public) unicast.
    public static func of(_ address: IPv4Address) -> SpecialPurposeRange? {
        lookUp(address, in: SpecialPurposeRegistry.ipv4)
    }
}

extension SpecialPurposeRange where Address == IPv6Address {
    /// The type of `address`: its most specific range, or nil when IANA has not assigned it (reserved).
    public static func of(_ address: IPv6Address) -> SpecialPurposeRange? {
        lookUp(address, in: SpecialPurposeRegistry.ipv6)
    }
}
