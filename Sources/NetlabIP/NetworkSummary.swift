/// The fewest CIDR blocks that cover a list of networks and ranges (路由汇总, route summarization),
/// as Python's `ipaddress.collapse_addresses` computes them.
public struct NetworkSummary<Address: IPAddress>: Sendable {
    /// The blocks, in address order.
    public let networks: [IPNetwork<Address>]
    /// How many items were given.
    public let itemCount: Int
    /// How many items repeated an earlier one exactly.
    public let duplicateCount: Int
    /// How many items overlapped (or lay inside) an earlier one without repeating it.
    public let overlapCount: Int

    /// Sorts the ranges, merges those that overlap or touch, then cuts each merged range into CIDR blocks.
    public init(ranges: [IPAddressRange<Address>]) {
        let sorted = ranges.sorted { $0.first != $1.first ? $0.first < $1.first : $0.last > $1.last }
        var merged: [IPAddressRange<Address>] = []
        var duplicates = 0
        var overlaps = 0
        var previous: IPAddressRange<Address>?
        for range in sorted {
            defer { previous = range }
            if range == previous {
                duplicates += 1
                continue
            }
            guard let current = merged.last else {
                merged.append(range)
                continue
            }
            if range.first <= current.last {
                overlaps += 1
                if range.last > current.last {
                    merged[merged.count - 1] = IPAddressRange(first: current.first, last: range.last)
                }
            } else if current.last.bits &+ 1 == range.first.bits {
                merged[merged.count - 1] = IPAddressRange(first: current.first, last: range.last)
            } else {
                merged.append(range)
            }
        }
        networks = merged.flatMap(\.networks)
        itemCount = ranges.count
        duplicateCount = duplicates
        overlapCount = overlaps
    }

    /// Reads one item: a network `10.0.0.0/24`, a bare address (one-address network), or a range `A-B`.
    public static func item(parsing text: String) throws(IPError) -> IPAddressRange<Address> {
        if text.contains("-") { return try IPAddressRange(parsing: text) }
        return try IPNetwork<Address>(parsing: text).range
    }
}
