/// A JSON value whose object keys keep their order, so `--json` output is stable field by field.
public indirect enum IPJSON: Sendable, Equatable {
    case string(String)
    /// An integer, kept as its decimal digits (IPv6 counts exceed every integer type's range).
    case number(String)
    case bool(Bool)
    case null
    case array([IPJSON])
    case object([Member])

    /// One key and its value.
    public struct Member: Sendable, Equatable {
        public let key: String
        public let value: IPJSON

        public init(_ key: String, _ value: IPJSON) {
            self.key = key
            self.value = value
        }
    }

    /// An integer value.
    public static func int(_ value: some BinaryInteger) -> IPJSON { .number(String(value)) }

    /// A string, or null when there is none.
    public static func optional(_ value: (some CustomStringConvertible)?) -> IPJSON {
        value.map { .string($0.description) } ?? .null
    }

    /// The value as indented JSON text, two spaces per level.
    public var text: String {
        var output = ""
        write(to: &output, indent: "")
        return output
    }

    private func write(to output: inout String, indent: String) {
        switch self {
        case .string(let value): Self.writeString(value, to: &output)
        case .number(let digits): output += digits
        case .bool(let value): output += value ? "true" : "false"
        case .null: output += "null"
        case .array(let values):
            if values.isEmpty {
                output += "[]"
                return
            }
            let inner = indent + "  "
            output += "[\n"
            for (index, value) in values.enumerated() {
                output += inner
                value.write(to: &output, indent: inner)
                output += index == values.count - 1 ? "\n" : ",\n"
            }
            output += indent + "]"
        case .object(let members):
            if members.isEmpty {
                output += "{}"
                return
            }
            let inner = indent + "  "
            output += "{\n"
            for (index, member) in members.enumerated() {
                output += inner
                Self.writeString(member.key, to: &output)
                output += ": "
                member.value.write(to: &output, indent: inner)
                output += index == members.count - 1 ? "\n" : ",\n"
            }
            output += indent + "}"
        }
    }

    private static func writeString(_ value: String, to output: inout String) {
        output += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\t": output += "\\t"
            case "\r": output += "\\r"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
