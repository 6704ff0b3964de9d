/// Every address from `first` to `last`, both included, such as `10.0.0.5-10.0.0.20`.
public struct IPAddressRange<Address: IPAddress>: Hashable, Sendable, CustomStringConvertible {
    public let first: Address
    public let last: Address

    public init(first: Address, last: Address) {
        precondition(first <= last, "a range's first address comes before its last")
        self.first = first
        self.last = last
    }

    /// Reads `FIRST-LAST`.
    public init(parsing text: String) throws(IPError) {
        let ends = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard ends.count == 2, !ends[0].isEmpty, !ends[1].isEmpty else {
            throw .empty(what: "range's first or last address")
        }
        let first = try Address(parsing: String(ends[0]))
        let last = try Address(parsing: String(ends[1]))
        guard first <= last else { throw .backwardRange(text: text) }
        self.init(first: first, last: last)
    }

    /// The fewest CIDR blocks that cover exactly this range, in order.
    ///
    /// Each step takes the largest block that starts at the next address and is aligned there
    /// (its start is a multiple of its size) without passing `last`.
    public var networks: [IPNetwork<Address>] {
        var result: [IPNetwork<Address>] = []
        var start = first.bits
        let end = last.bits
        while true {
            // Alignment: the block can be no larger than the lowest set bit of `start` allows.
            var hostBits = start == 0 ? Address.bitWidth : start.trailingZeroBitCount
            // Size: the block must end at or before `end`.
            while hostBits > 0, (end - start) < Self.lastOffset(hostBits: hostBits) { hostBits -= 1 }
            result.append(
                IPNetwork(containing: Address(bits: start), prefixLength: Address.bitWidth - hostBits))
            let blockLast = start | Self.lastOffset(hostBits: hostBits)
            if blockLast >= end { break }
            start = blockLast + 1
        }
        return result
    }

    /// 2^hostBits − 1: the offset of a block's last address from its first.
    private static func lastOffset(hostBits: Int) -> Address.Bits {
        hostBits >= Address.bitWidth ? ~Address.Bits(0) : (Address.Bits(1) << hostBits) - 1
    }

    public var description: String { "\(first)-\(last)" }
}
