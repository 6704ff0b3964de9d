/// A malformed address, mask, prefix or range, or a subnet request that cannot be met: exit status 1.
///
/// Each description is one sentence that quotes the bad part and says how to write it instead.
public enum IPError: Error, CustomStringConvertible, Equatable, Sendable {
    /// An argument that should hold an address, mask or range is empty.
    case empty(what: String)
    /// An IPv4 address without exactly four dot-separated parts.
    case wrongPartCount(text: String, count: Int)
    /// An IPv4 address with nothing between two dots, or a dot at an end.
    case emptyPart(text: String, position: Int)
    /// An IPv4 part that is not a decimal number.
    case notDecimal(text: String, part: String, position: Int)
    /// An IPv4 part above 255.
    case partTooLarge(text: String, part: String, position: Int)
    /// An IPv4 part such as `010`, which some tools read as octal.
    case leadingZero(text: String, part: String, position: Int)
    /// An IPv6 address with `::` more than once.
    case doubleColonTwice(text: String)
    /// An IPv6 group of more than four hex digits.
    case groupTooLong(text: String, group: String)
    /// An IPv6 group that is not hexadecimal.
    case notHex(text: String, group: String)
    /// An IPv6 address with too few or too many groups.
    case wrongGroupCount(text: String, count: Int)
    /// An IPv6 address with a single colon at an end or `:::`.
    case strayColon(text: String)
    /// An IPv6 zone such as `%eth0`, which names an interface, not an address.
    case zoneIndex(text: String)
    /// A prefix length that is not a whole number.
    case prefixNotNumber(prefix: String, maximum: Int)
    /// A prefix length beyond the address's bit count.
    case prefixTooLong(prefix: String, maximum: Int)
    /// A dotted mask whose ones are not all on the left.
    case nonContiguousMask(text: String, binary: String)
    /// A mask that is neither a prefix length, a dotted quad nor `0x` and eight hex digits.
    case unreadableMask(text: String)
    /// A network written with host bits set where a network is required.
    case hostBitsSet(text: String, network: String)
    /// A dotted IPv4 mask given to an IPv6 address.
    case ipv4MaskForIPv6(text: String)
    /// A host name where an address belongs: netlab ip does not look names up.
    case hostName(text: String)
    /// An IPv6 mask (`ffff:ffff::`) whose ones are not all on the left.
    case nonContiguousIPv6Mask(text: String)
    /// IPv4 and IPv6 mixed in one request.
    case mixedVersions(first: String, second: String)
    /// A range `A-B` whose end comes before its start.
    case backwardRange(text: String)
    /// `netlab ip class` given an IPv6 address.
    case noClassInIPv6(text: String)
    /// Host counts (VLSM) asked of an IPv6 network.
    case hostsNeedIPv4(network: String)
    /// A split into subnets no longer than the network itself.
    case prefixNotLonger(network: String, prefix: Int)
    /// Subnets that need more addresses than the network has.
    case doesNotFit(network: String, needed: String, available: String, hint: String)
    /// A split into more equal subnets than the network has addresses.
    case tooFewAddresses(network: String, addresses: String, subnets: Int)
    /// A split that would print more subnets than anyone can read.
    case tooManySubnets(network: String, count: String, limit: Int)

    public var description: String {
        switch self {
        case .empty(let what) where what == "mask":
            "the mask is empty — write a prefix length or a mask after the '/', such as /24 or /255.255.255.0"
        case .empty(let what) where what == "network":
            "the network is empty — write a network such as 192.168.1.0/24 or 2001:db8::/32"
        case .empty(let what) where what.hasPrefix("range"):
            "the \(what) is empty — write a range as FIRST-LAST, such as 10.0.0.5-10.0.0.20"
        case .empty(let what):
            "the \(what) is empty — write an address such as 192.168.1.10 or 2001:db8::1"
        case .wrongPartCount(let text, let count):
            "'\(text)' has \(count) part\(count == 1 ? "" : "s") but an IPv4 address has 4 — write four numbers 0 to 255 separated by dots, such as 192.168.1.10"
        case .emptyPart(let text, let position):
            "'\(text)' has an empty part \(position) — write a number 0 to 255 between each pair of dots"
        case .notDecimal(let text, let part, let position):
            "'\(text)': part \(position) '\(part)' is not a decimal number — each part is a number 0 to 255"
        case .partTooLarge(let text, let part, let position):
            "'\(text)': part \(position) (\(part)) is larger than 255 — each part is one byte, 0 to 255"
        case .leadingZero(let text, let part, let position):
            "'\(text)': part \(position) '\(part)' has a leading zero, which some tools read as octal — write it without the zero, as \(Int(part) ?? 0)"
        case .doubleColonTwice(let text):
            "'\(text)' uses '::' twice — '::' may stand for one run of zero groups only, or the address would be ambiguous"
        case .groupTooLong(let text, let group):
            "'\(text)': group '\(group)' has more than 4 hex digits — each IPv6 group is 16 bits, at most ffff"
        case .notHex(let text, let group):
            "'\(text)': group '\(group)' is not hexadecimal — use the digits 0-9 and a-f only"
        case .wrongGroupCount(let text, let count) where count < 8:
            "'\(text)' has \(count) group\(count == 1 ? "" : "s") but an IPv6 address has 8 — add the missing groups, or '::' for a run of zeros"
        case .wrongGroupCount(let text, let count) where count == 8:
            "'\(text)' has 8 groups and a '::', which stands for at least one more — drop the '::' or a group"
        case .wrongGroupCount(let text, let count):
            "'\(text)' has \(count) groups but an IPv6 address has 8 — remove the extra groups"
        case .strayColon(let text):
            "'\(text)' has a stray ':' — groups are separated by one ':', and '::' marks a run of zero groups"
        case .zoneIndex(let text):
            "'\(text)' carries a zone ('%...'), which names an interface, not part of the address — leave it out"
        case .prefixNotNumber(let prefix, let maximum) where prefix.isEmpty:
            "nothing follows the '/' — write a prefix length /0 to /\(maximum), such as /\(maximum == 128 ? 64 : 24)"
        case .prefixNotNumber(let prefix, let maximum):
            "prefix length '\(prefix)' is not a whole number — write /0 to /\(maximum), such as /\(maximum == 128 ? 64 : 24)"
        case .prefixTooLong(let prefix, let maximum):
            "prefix length /\(prefix) is longer than the address's \(maximum) bits — use /0 to /\(maximum)"
        case .nonContiguousMask(let text, let binary):
            "'\(text)' is not a subnet mask: its ones are not contiguous (\(binary)) — a mask is ones then zeros, such as 255.255.255.0"
        case .unreadableMask(let text):
            "'\(text)' is not a mask — write a prefix length (24), a dotted mask (255.255.255.0), a hex mask (0xffffff00) or a wildcard (0.0.0.255)"
        case .ipv4MaskForIPv6(let text):
            "'\(text)' is an IPv4 mask, but the address is IPv6 — give a prefix length instead, such as /64"
        case .hostName(let text):
            "'\(text)' is a host name, not an address — netlab ip works on addresses; write one such as 127.0.0.1, or look the name up first (getent hosts \(text))"
        case .nonContiguousIPv6Mask(let text):
            "'\(text)' is not an IPv6 mask: its ones are not contiguous — write a prefix length instead, such as /64"
        case .hostBitsSet(let text, let network):
            "'\(text)' has host bits set, so it is not a network address — did you mean \(network)?"
        case .mixedVersions(let first, let second):
            "'\(first)' and '\(second)' mix IPv4 and IPv6 — give addresses of one version"
        case .backwardRange(let text):
            "range '\(text)' ends before it starts — write the lower address first"
        case .noClassInIPv6(let text):
            "'\(text)' is IPv6, which has no address classes — classes A to E are an IPv4 idea; try 'netlab ip info \(text)'"
        case .hostsNeedIPv4(let network):
            "--hosts plans IPv4 subnets, but \(network) is IPv6 — use --prefix 64 or --into N for IPv6"
        case .prefixNotLonger(let network, let prefix):
            "/\(prefix) is not longer than \(network)'s own prefix — pick a prefix length above it to make smaller subnets"
        case .doesNotFit(let network, let needed, let available, let hint):
            "the subnets need \(needed) addresses but \(network) has only \(available) — \(hint)"
        case .tooFewAddresses(let network, let addresses, let subnets):
            "\(network) has only \(addresses) addresses, too few for \(subnets) subnets — split a larger network or ask for fewer subnets"
        case .tooManySubnets(let network, let count, let limit):
            "splitting \(network) that way makes \(count) subnets, more than the \(limit) netlab lists — pick a shorter prefix or fewer subnets"
        }
    }
}
