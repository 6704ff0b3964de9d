/// Variable-length subnet masks (VLSM, 可变长子网掩码): one subnet per host count, each just large enough.
extension SubnetPlan where Address == IPv4Address {
    /// Host bits a subnet needs for `hosts` hosts: the smallest h ≥ 2 with 2^h − 2 ≥ hosts,
    /// since the all-zeros and all-ones host numbers are the network and broadcast addresses.
    public static func hostBits(for hosts: Int) -> Int {
        var bits = 2
        while bits < 62, (1 << bits) - 2 < hosts { bits += 1 }
        return bits
    }

    /// Places one subnet per host count, largest first, each at the next free address.
    ///
    /// Largest first keeps every block aligned: each block's size divides the sizes of those before it,
    /// so the next free address is always a multiple of the next block's size. Subnets are listed in address
    /// order, which is largest first; ties keep the order they were asked in.
    public static func vlsm(_ parent: IPNetwork<IPv4Address>, hosts: [Int]) throws(IPError)
        -> SubnetPlan
    {
        precondition(!hosts.isEmpty && hosts.allSatisfy { $0 >= 1 }, "host counts are positive")
        let order = hosts.indices.sorted { hosts[$0] != hosts[$1] ? hosts[$0] > hosts[$1] : $0 < $1 }
        let needed = hosts.reduce(0) { $0 + (1 << hostBits(for: $1)) }
        guard needed <= parent.addressCount else {
            let fitting = 32 - SubnetPlan.bitsNeeded(for: needed)
            let hint =
                fitting >= 0
                ? "a /\(fitting) would hold them all; use a larger network or fewer hosts"
                : "no IPv4 network is that large; ask for fewer hosts"
            throw .doesNotFit(
                network: parent.description, needed: String(needed), available: String(parent.addressCount),
                hint: hint)
        }
        var next = parent.address.bits
        var subnets: [Subnet] = []
        for index in order {
            let bits = hostBits(for: hosts[index])
            let network = IPNetwork(containing: IPv4Address(bits: next), prefixLength: 32 - bits)
            subnets.append(Subnet(network: network, requestedHosts: hosts[index]))
            next &+= UInt32(truncatingIfNeeded: 1 << bits)
        }
        return SubnetPlan(
            parent: parent, request: .hosts(hosts), subnets: subnets,
            unused: unusedSpace(of: parent, after: subnets.last!.network))
    }
}
