/// A host address together with its network, as written `192.168.1.10/24` (Python's `ip_interface`).
public enum IPInterface: Sendable {
    /// An IPv4 address and the mask it was given with.
    case v4(IPv4Address, SubnetMask)
    /// An IPv6 address and its prefix length.
    case v6(IPv6Address, prefixLength: Int)

    /// Reads `ADDR`, `ADDR/LEN`, `ADDR/MASK` (dotted, hex or wildcard), or `ADDR` with `mask` given apart.
    ///
    /// A bare address stands for itself alone (/32 or /128), as in Python; `isBareAddress` tells the caller.
    public init(parsing text: String, mask separateMask: String? = nil) throws(IPError) {
        if text.isEmpty { throw .empty(what: "address") }
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let addressText = String(parts[0])
        // A mask given apart may keep its slash: `10.1.2.3 /24`.
        let maskText =
            parts.count == 2 ? String(parts[1]) : separateMask.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 }
        if IPv6Address.looksLikeIPv6(addressText) {
            let address = try IPv6Address(parsing: addressText)
            self = .v6(address, prefixLength: try maskText.map(IPv6Address.prefixLength(parsing:)) ?? 128)
        } else {
            let address = try IPv4Address(parsing: addressText)
            self = .v4(
                address, try maskText.map(SubnetMask.init(parsing:)) ?? SubnetMask(prefixLength: 32))
        }
    }

    /// Whether `text` names an address without any mask or prefix.
    public static func isBareAddress(_ text: String, mask: String?) -> Bool {
        !text.contains("/") && mask == nil
    }
}
