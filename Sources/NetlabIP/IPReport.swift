/// What a `netlab ip` subcommand prints: lines for people, and one JSON object for `--json`.
///
/// Both are built together from the same facts, so the two views never disagree.
public struct IPReport: Sendable {
    /// The human view: aligned `label: value` lines, tables and explanations.
    public var lines: [String]
    /// The `--json` view.
    public var json: IPJSON

    public init(lines: [String], json: IPJSON) {
        self.lines = lines
        self.json = json
    }

    /// Appends an explanation to both views: numbered steps for people, an `explanation` array in JSON.
    public mutating func append(_ explanation: IPExplanation) {
        lines.append("")
        lines.append("How it is worked out:")
        lines.append(contentsOf: explanation.lines)
        if case .object(var members) = json {
            members.append(
                .init("explanation", .array(explanation.steps.map { .string($0.joined(separator: "\n")) })))
            json = .object(members)
        }
    }

    /// `label: value` rows with the values lined up in one column.
    static func aligned(_ rows: [(label: String, value: String)]) -> [String] {
        let width = (rows.map(\.label.count).max() ?? 0) + 1
        return rows.map { row in
            let label = row.label + ":"
            return label + String(repeating: " ", count: width - label.count + 1) + row.value
        }
    }

    /// A table with a header row, columns padded to their widest cell.
    static func table(headers: [String], rows: [[String]]) -> [String] {
        let all = [headers] + rows
        let widths = headers.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.indices.map { column in
                column == row.count - 1
                    ? row[column]
                    : row[column] + String(repeating: " ", count: widths[column] - row[column].count)
            }.joined(separator: "  ")
        }
    }
}
