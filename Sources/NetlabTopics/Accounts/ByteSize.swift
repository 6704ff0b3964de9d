import Foundation

/// A number of bytes as people write it: `500K`, `10M`, `1G` (binary units: K is 1024 bytes), or plain `4096`.
public enum ByteSize {
    private static let units: [(suffix: Character, shift: Int)] = [("K", 10), ("M", 20), ("G", 30), ("T", 40)]

    /// The bytes `text` names, or nil when it is not a size. `10M`, `10m`, `10MB`, `10MiB` and `1.5G` all read.
    public static func parse(_ text: String) -> Int64? {
        var digits = Substring(text.trimmingCharacters(in: .whitespaces))
        for tail in ["iB", "ib", "B", "b"] where digits.hasSuffix(tail) && digits.count > tail.count {
            digits = digits.dropLast(tail.count)
            break
        }
        var shift = 0
        if let last = digits.last?.uppercased().first, let unit = units.first(where: { $0.suffix == last }) {
            shift = unit.shift
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            let value = Double(digits), value >= 0
        else { return nil }
        let bytes = value * Double(Int64(1) << shift)
        guard bytes < 9.2e18 else { return nil }
        return Int64(bytes.rounded())
    }

    /// `512 B`, `1.5 KiB`, `10 MiB`, `2.3 GiB`: at most one decimal, none when it would be `.0`.
    public static func format(_ bytes: Int64) -> String {
        guard bytes >= 1024 else { return "\(bytes) B" }
        var value = Double(bytes)
        var unit = 0
        let names = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        while value >= 1024, unit < names.count - 1 {
            value /= 1024
            unit += 1
        }
        let tenths = (value * 10).rounded()
        let number = tenths.truncatingRemainder(dividingBy: 10) == 0 ? "\(Int(tenths / 10))" : "\(tenths / 10)"
        return number + " " + names[unit]
    }
}
