/// `netlab ip summarize`: the fewest CIDR blocks, one per line.
extension IPReport {
    /// The blocks one per line, so the output can be piped; counts of merged items go to JSON
    /// and to `notes` for standard error.
    public static func summary<Address>(_ summary: NetworkSummary<Address>) -> IPReport {
        let json = IPJSON.object([
            .init("version", .int(Address.version)),
            .init("item_count", .int(summary.itemCount)),
            .init("duplicate_count", .int(summary.duplicateCount)),
            .init("overlap_count", .int(summary.overlapCount)),
            .init("network_count", .int(summary.networks.count)),
            .init("networks", .array(summary.networks.map { .string($0.description) })),
        ])
        return IPReport(lines: summary.networks.map(\.description), json: json)
    }

    /// One line on what summarizing merged, such as `5 items became 2 networks (1 duplicate, 2 overlapping)`.
    public static func summaryNote<Address>(_ summary: NetworkSummary<Address>) -> String {
        var note =
            "\(summary.itemCount) item\(summary.itemCount == 1 ? "" : "s") became \(summary.networks.count) network\(summary.networks.count == 1 ? "" : "s")"
        var merged: [String] = []
        if summary.duplicateCount > 0 {
            merged.append("\(summary.duplicateCount) duplicate\(summary.duplicateCount == 1 ? "" : "s")")
        }
        if summary.overlapCount > 0 { merged.append("\(summary.overlapCount) overlapping") }
        if !merged.isEmpty { note += " (" + merged.joined(separator: ", ") + ")" }
        return note
    }
}
