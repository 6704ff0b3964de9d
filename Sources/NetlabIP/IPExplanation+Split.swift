/// How a split chose its prefix lengths and placed each subnet.
extension IPExplanation {
    /// The steps of an equal split or of VLSM.
    public static func split<Address>(_ plan: SubnetPlan<Address>) -> IPExplanation {
        let parent = plan.parent
        var steps: [[String]] = []
        switch plan.request {
        case .count(let count):
            let bits = SubnetPlan<Address>.bitsNeeded(for: count)
            steps.append([
                "\(count) subnet\(count == 1 ? "" : "s") need\(count == 1 ? "s" : "") k more network bits with 2^k ≥ \(count): k = \(bits) (2^\(bits) = \(1 << bits))."
            ])
            steps.append(contentsOf: equalSteps(plan, extraBits: bits))
        case .prefixLength(let prefix):
            let bits = prefix - parent.prefixLength
            steps.append([
                "/\(prefix) is \(bits) bit\(bits == 1 ? "" : "s") longer than /\(parent.prefixLength), so \(parent) holds 2^\(bits) = \(1 << bits) subnets of /\(prefix)."
            ])
            steps.append(contentsOf: equalSteps(plan, extraBits: bits))
        case .hosts(let hosts):
            steps.append(contentsOf: vlsmSteps(plan, hosts: hosts))
        }
        let unused = plan.unused.map(\.description).joined(separator: ", ")
        steps.append([
            plan.unused.isEmpty
                ? "Every address of \(parent) is used." : "Left over, as the fewest CIDR blocks: \(unused)."
        ])
        return IPExplanation(steps: steps)
    }

    private static func equalSteps<Address>(_ plan: SubnetPlan<Address>, extraBits: Int) -> [[String]] {
        let parent = plan.parent
        let prefix = parent.prefixLength + extraBits
        let hostBits = Address.bitWidth - prefix
        let size = IPNetwork<Address>.powerOfTwo(hostBits)
        var sizeLine =
            "The new prefix is /\(parent.prefixLength) + \(extraBits) = /\(prefix); each subnet keeps \(Address.bitWidth) − \(prefix) = \(hostBits) host bits, 2^\(hostBits) = \(size) addresses"
        if Address.version == 4 {
            sizeLine += hostBits >= 2 ? " (\(size) − 2 = \((1 << hostBits) - 2) usable hosts)." : "."
        } else {
            sizeLine += "."
        }
        let starts = plan.subnets.prefix(4).map { $0.network.address.description }.joined(
            separator: ", ")
        return [
            [sizeLine],
            [
                "The new network bits count the subnets 0, 1, 2, ...: subnet i starts at \(parent.address) + i × \(size):",
                "  \(starts)\(plan.subnets.count > 4 ? ", ..." : "")",
            ],
        ]
    }

    private static func vlsmSteps<Address>(_ plan: SubnetPlan<Address>, hosts: [Int]) -> [[String]] {
        let order = hosts.sorted(by: >).map(String.init).joined(separator: ", ")
        var placements: [String] = []
        for subnet in plan.subnets {
            let network = subnet.network
            let requested = subnet.requestedHosts ?? 0
            let hostBits = network.hostBits
            let fits = "2^\(hostBits) − 2 = \((1 << hostBits) - 2) ≥ \(requested)"
            let smaller =
                hostBits > 2
                ? "2^\(hostBits - 1) − 2 = \((1 << (hostBits - 1)) - 2) is too few"
                : "2^1 − 2 = 0: a /31's two addresses serve hosts only on an RFC 3021 point-to-point link, not in a subnet plan"
            let next = Address(bits: network.last.bits &+ 1)
            let nextText = network.last == plan.parent.last ? "the network is full" : "next free \(next)"
            placements.append(
                "  \(requested) hosts: h = \(hostBits) (\(fits); \(smaller)) → /\(network.prefixLength), \(1 << hostBits) addresses, at \(network.address); \(nextText)"
            )
        }
        let used = plan.subnets.map { String(1 << $0.network.hostBits) }.joined(separator: " + ")
        let total = plan.subnets.reduce(0) { $0 + (1 << $1.network.hostBits) }
        return [
            ["Sort the host counts largest first: \(order)."],
            [
                "For each, take the fewest host bits h with 2^h − 2 ≥ hosts (the all-zeros and all-ones host numbers",
                "are the network and broadcast addresses), and place the block at the next free address:",
            ] + placements,
            [
                "Largest first keeps every block aligned: each block's size divides the sizes placed before it,",
                "so the next free address is always a multiple of the next block's size.",
            ],
            [
                "The subnets use \(used) = \(total) of the \(1 << plan.parent.hostBits) addresses in \(plan.parent)."
            ],
        ]
    }
}
