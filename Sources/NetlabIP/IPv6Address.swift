/// A 128-bit IPv6 address, written as eight groups of four hex digits: `2001:db8::1`.
public struct IPv6Address: IPAddress {
    public static let version = 6
    public let bits: UInt128

    public init(bits: UInt128) { self.bits = bits }

    /// Reads the text forms of RFC 4291 §2.2: eight hex groups, one `::` for a run of zero groups,
    /// and an optional dotted IPv4 address in place of the last two groups (`::ffff:192.0.2.1`).
    public init(parsing text: String) throws(IPError) {
        if text.isEmpty { throw .empty(what: "address") }
        if text.contains("%") { throw .zoneIndex(text: text) }
        let halves = text.split(separator: "::", omittingEmptySubsequences: false)
        guard halves.count <= 2 else { throw .doubleColonTwice(text: text) }
        let head = try Self.groups(halves[0], in: text, mayEndInIPv4: halves.count == 1)
        let tail = halves.count == 2 ? try Self.groups(halves[1], in: text, mayEndInIPv4: true) : []
        let count = head.count + tail.count
        if halves.count == 1 {
            guard count == 8 else { throw .wrongGroupCount(text: text, count: count) }
        } else {
            // '::' stands for at least one zero group.
            guard count <= 7 else { throw .wrongGroupCount(text: text, count: count) }
        }
        var value: UInt128 = 0
        for group in head { value = value << 16 | UInt128(group) }
        value <<= 16 * (8 - head.count)
        var tailValue: UInt128 = 0
        for group in tail { tailValue = tailValue << 16 | UInt128(group) }
        bits = value | tailValue
    }

    /// The 16-bit groups of one side of `::`; a trailing dotted IPv4 address counts as two groups.
    private static func groups(_ side: Substring, in text: String, mayEndInIPv4: Bool) throws(IPError)
        -> [UInt16]
    {
        if side.isEmpty { return [] }
        let words = side.split(separator: ":", omittingEmptySubsequences: false)
        var groups: [UInt16] = []
        for (index, word) in words.enumerated() {
            if word.isEmpty { throw .strayColon(text: text) }
            if word.contains("."), index == words.count - 1, mayEndInIPv4 {
                let embedded = try IPv4Address(parsing: String(word))
                groups.append(UInt16(embedded.bits >> 16))
                groups.append(UInt16(truncatingIfNeeded: embedded.bits))
                continue
            }
            guard word.utf8.count <= 4 else {
                if word.allSatisfy(\.isHexDigit) { throw .groupTooLong(text: text, group: String(word)) }
                throw .notHex(text: text, group: String(word))
            }
            guard let group = UInt16(word, radix: 16), word.allSatisfy(\.isHexDigit) else {
                throw .notHex(text: text, group: String(word))
            }
            groups.append(group)
        }
        return groups
    }

    /// The eight 16-bit groups, most significant first.
    public var groups: [UInt16] {
        (0..<8).map { UInt16(truncatingIfNeeded: bits >> (16 * (7 - $0))) }
    }

    /// The IPv4 address inside an IPv4-mapped address (`::ffff:0:0/96`), or nil.
    public var mappedIPv4: IPv4Address? {
        bits >> 32 == 0xffff ? IPv4Address(bits: UInt32(truncatingIfNeeded: bits)) : nil
    }

    /// All eight groups with four digits each: `2001:0db8:0000:0000:0000:0000:0000:0001`.
    public var expanded: String {
        groups.map {
            String(repeating: "0", count: 4 - String($0, radix: 16).count) + String($0, radix: 16)
        }
        .joined(separator: ":")
    }

    /// The canonical form of RFC 5952: lower case, no leading zeros, the longest run of two or more
    /// zero groups (the first, on a tie) as `::`, and IPv4-mapped addresses as `::ffff:192.0.2.1`.
    public var description: String {
        if let ipv4 = mappedIPv4 { return "::ffff:\(ipv4)" }
        let groups = groups
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < 8, groups[end] == 0 { end += 1 }
            if end - index > bestLength {
                bestStart = index
                bestLength = end - index
            }
            index = end
        }
        let words = groups.map { String($0, radix: 16) }
        guard bestStart >= 0 else { return words.joined(separator: ":") }
        let head = words[..<bestStart].joined(separator: ":")
        let tail = words[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }

    /// The 128 bits in eight colon-separated groups of sixteen.
    public var binary: String {
        groups.map {
            String(repeating: "0", count: 16 - String($0, radix: 2).count) + String($0, radix: 2)
        }
        .joined(separator: ":")
    }
}
