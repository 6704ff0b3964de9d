/// A 32-bit IPv4 address, written as four decimal bytes: `192.168.1.10`.
public struct IPv4Address: IPAddress {
    public static let version = 4
    public let bits: UInt32

    public init(bits: UInt32) { self.bits = bits }

    /// The address `a.b.c.d`.
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        bits = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Reads dotted decimal strictly, as Python's `ipaddress` does: four parts 0 to 255, no leading zeros.
    ///
    /// `010.1.1.1` is refused because `inet_aton(3)` reads `010` as octal 8, while others read 10.
    public init(parsing text: String) throws(IPError) {
        if text.isEmpty { throw .empty(what: "address") }
        // `localhost` or `example.com`: a name starts with a letter; `1.2.3.4a` is a typo in an address.
        if let first = text.unicodeScalars.first, first.properties.isAlphabetic { throw .hostName(text: text) }
        var value: UInt32 = 0
        var position = 0
        var part: Substring.UTF8View.SubSequence
        var rest = Substring(text).utf8[...]
        let partCount = text.utf8.reduce(1) { $1 == UInt8(ascii: ".") ? $0 + 1 : $0 }
        guard partCount == 4 else { throw .wrongPartCount(text: text, count: partCount) }
        while position < 4 {
            position += 1
            if let dot = rest.firstIndex(of: UInt8(ascii: ".")) {
                part = rest[..<dot]
                rest = rest[rest.index(after: dot)...]
            } else {
                part = rest
                rest = rest[rest.endIndex...]
            }
            let byte = try Self.byte(part, position: position, in: text)
            value = value << 8 | UInt32(byte)
        }
        bits = value
    }

    private static func byte(_ part: Substring.UTF8View.SubSequence, position: Int, in text: String)
        throws(IPError)
        -> UInt8
    {
        var partText: String { String(Substring(part)) }
        if part.isEmpty { throw .emptyPart(text: text, position: position) }
        var number = 0
        for character in part {
            guard character >= UInt8(ascii: "0"), character <= UInt8(ascii: "9") else {
                throw .notDecimal(text: text, part: partText, position: position)
            }
            number = number * 10 + Int(character - UInt8(ascii: "0"))
            if number > 255 { throw .partTooLarge(text: text, part: partText, position: position) }
        }
        if part.count > 1, part.first == UInt8(ascii: "0") {
            throw .leadingZero(text: text, part: partText, position: position)
        }
        return UInt8(number)
    }

    /// The four bytes, most significant first.
    public var octets: [UInt8] {
        [
            UInt8(bits >> 24), UInt8(truncatingIfNeeded: bits >> 16),
            UInt8(truncatingIfNeeded: bits >> 8), UInt8(truncatingIfNeeded: bits),
        ]
    }

    /// Dotted decimal, such as `192.168.1.10`.
    public var description: String { octets.map(String.init).joined(separator: ".") }

    /// The 32 bits in four dotted groups of eight, such as `11000000.10101000.00000001.00001010`.
    public var binary: String { octets.map(Self.binary(of:)).joined(separator: ".") }

    /// Eight lower-case hex digits after `0x`, such as `0xc0a8010a`.
    public var hex: String { "0x" + Self.padded(String(bits, radix: 16), to: 8) }

    /// One byte as eight binary digits.
    static func binary(of byte: UInt8) -> String { padded(String(byte, radix: 2), to: 8) }

    private static func padded(_ digits: String, to width: Int) -> String {
        String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
