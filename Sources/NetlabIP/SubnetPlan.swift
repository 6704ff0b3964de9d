/// A network cut into subnets (子网划分): equal parts, or VLSM blocks sized for each host count.
public struct SubnetPlan<Address: IPAddress>: Sendable {
    /// One subnet of the plan.
    public struct Subnet: Sendable {
        public let network: IPNetwork<Address>
        /// The host count this subnet was sized for (VLSM), or nil for an equal split.
        public let requestedHosts: Int?
    }

    /// How the split was asked for.
    public enum Request: Sendable, Equatable {
        /// `--into N`: N equal subnets.
        case count(Int)
        /// `--prefix P`: every subnet of length P.
        case prefixLength(Int)
        /// `--hosts A,B,C`: VLSM, one subnet per host count, largest first.
        case hosts([Int])
    }

    /// The most subnets netlab lists in one plan.
    public static var limit: Int { 65_536 }

    public let parent: IPNetwork<Address>
    public let request: Request
    /// The subnets, in address order.
    public let subnets: [Subnet]
    /// The parent's addresses no subnet took, as the fewest CIDR blocks.
    public let unused: [IPNetwork<Address>]

    /// Splits `parent` into `count` equal subnets: the smallest power of two ≥ count decides the new prefix,
    /// and the first `count` subnets of that size are listed.
    public static func equal(_ parent: IPNetwork<Address>, count: Int) throws(IPError) -> SubnetPlan {
        precondition(count >= 1, "at least one subnet")
        let extraBits = Self.bitsNeeded(for: count)
        guard extraBits <= parent.hostBits else {
            throw .tooFewAddresses(
                network: parent.description, addresses: parent.addressCountText, subnets: count)
        }
        let plan = equal(parent, prefixLength: parent.prefixLength + extraBits, count: count)
        return SubnetPlan(
            parent: parent, request: .count(count), subnets: plan.subnets, unused: plan.unused)
    }

    /// Splits `parent` into every subnet of length `prefixLength`.
    public static func equal(_ parent: IPNetwork<Address>, prefixLength: Int) throws(IPError)
        -> SubnetPlan
    {
        guard prefixLength <= Address.bitWidth else {
            throw .prefixTooLong(prefix: String(prefixLength), maximum: Address.bitWidth)
        }
        guard prefixLength >= parent.prefixLength else {
            throw .prefixNotLonger(network: parent.description, prefix: prefixLength)
        }
        let extraBits = prefixLength - parent.prefixLength
        guard extraBits <= 16 else {
            throw .tooManySubnets(
                network: parent.description, count: IPNetwork<Address>.powerOfTwo(extraBits), limit: limit)
        }
        return equal(parent, prefixLength: prefixLength, count: 1 << extraBits)
    }

    private static func equal(_ parent: IPNetwork<Address>, prefixLength: Int, count: Int)
        -> SubnetPlan
    {
        let step = Address.Bits(1) << (Address.bitWidth - prefixLength)
        var subnets: [Subnet] = []
        subnets.reserveCapacity(count)
        for index in 0..<count {
            let start = Address(bits: parent.address.bits + Address.Bits(index) * step)
            subnets.append(
                Subnet(
                    network: IPNetwork(containing: start, prefixLength: prefixLength), requestedHosts: nil))
        }
        return SubnetPlan(
            parent: parent, request: .prefixLength(prefixLength), subnets: subnets,
            unused: unusedSpace(of: parent, after: subnets.last!.network))
    }

    /// The smallest k with 2^k ≥ count.
    static func bitsNeeded(for count: Int) -> Int {
        count <= 1 ? 0 : Int.bitWidth - (count - 1).leadingZeroBitCount
    }

    /// The parent's addresses after `last`, as CIDR blocks.
    static func unusedSpace(of parent: IPNetwork<Address>, after last: IPNetwork<Address>)
        -> [IPNetwork<Address>]
    {
        guard last.last < parent.last else { return [] }
        return IPAddressRange(first: Address(bits: last.last.bits + 1), last: parent.last).networks
    }
}
