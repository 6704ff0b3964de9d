/// `netlab ip split`: a plan's subnets as a table, and as JSON.
extension IPReport {
    /// An IPv4 plan: each subnet's mask, host range, host count and broadcast.
    public static func split(_ plan: SubnetPlan<IPv4Address>) -> IPReport {
        let isVLSM = plan.request.isHosts
        let used = plan.subnets.reduce(0) { $0 + $1.network.addressCount }
        var lines = aligned([
            ("network", plan.parent.description),
            (
                "split",
                plan.request.summary(
                    subnetCount: plan.subnets.count, prefixLength: plan.subnets[0].network.prefixLength)
            ),
            ("addresses used", "\(used) of \(plan.parent.addressCount)"),
        ])
        var headers = ["subnet"]
        if isVLSM { headers.append("hosts asked") }
        headers += ["usable", "mask", "first host", "last host", "broadcast"]
        let rows = plan.subnets.map { subnet in
            let network = subnet.network
            var row = [network.description]
            if isVLSM { row.append(subnet.requestedHosts.map(String.init) ?? "") }
            row += [
                String(network.usableHostCount),
                SubnetMask(prefixLength: network.prefixLength).dotted.description,
                network.firstHost.description, network.lastHost.description,
                network.broadcast?.description ?? "none",
            ]
            return row
        }
        lines.append("")
        lines.append(contentsOf: table(headers: headers, rows: rows))
        lines.append("")
        lines.append(contentsOf: aligned([("unused", unusedText(plan.unused))]))

        let subnets = plan.subnets.map { subnet -> IPJSON in
            let network = subnet.network
            return .object([
                .init("cidr", .string(network.description)),
                .init("network", .string(network.first.description)),
                .init("prefix_length", .int(network.prefixLength)),
                .init("mask", .string(SubnetMask(prefixLength: network.prefixLength).dotted.description)),
                .init("first_host", .string(network.firstHost.description)),
                .init("last_host", .string(network.lastHost.description)),
                .init("broadcast", .optional(network.broadcast)),
                .init("usable_hosts", .int(network.usableHostCount)),
                .init("address_count", .int(network.addressCount)),
                .init("requested_hosts", subnet.requestedHosts.map { .int($0) } ?? .null),
            ])
        }
        let json = IPJSON.object(
            planHeader(plan) + [
                .init("addresses_used", .int(used)),
                .init("address_count", .int(plan.parent.addressCount)),
                .init("subnets", .array(subnets)),
                .init("unused", .array(plan.unused.map { .string($0.description) })),
            ])
        return IPReport(lines: lines, json: json)
    }

    /// An IPv6 plan: each subnet's first and last address and its size.
    public static func split(_ plan: SubnetPlan<IPv6Address>) -> IPReport {
        var lines = aligned([
            ("network", plan.parent.description),
            (
                "split",
                plan.request.summary(
                    subnetCount: plan.subnets.count, prefixLength: plan.subnets[0].network.prefixLength)
            ),
        ])
        let rows = plan.subnets.map { subnet in
            [
                subnet.network.description, subnet.network.first.description,
                subnet.network.last.description,
                "2^\(subnet.network.hostBits)",
            ]
        }
        lines.append("")
        lines.append(
            contentsOf: table(
                headers: ["subnet", "first address", "last address", "addresses"], rows: rows))
        lines.append("")
        lines.append(contentsOf: aligned([("unused", unusedText(plan.unused))]))
        let subnets = plan.subnets.map { subnet -> IPJSON in
            .object([
                .init("cidr", .string(subnet.network.description)),
                .init("network", .string(subnet.network.first.description)),
                .init("prefix_length", .int(subnet.network.prefixLength)),
                .init("first_address", .string(subnet.network.first.description)),
                .init("last_address", .string(subnet.network.last.description)),
                .init("address_count", .string(subnet.network.addressCountText)),
            ])
        }
        let json = IPJSON.object(
            planHeader(plan) + [
                .init("subnets", .array(subnets)),
                .init("unused", .array(plan.unused.map { .string($0.description) })),
            ])
        return IPReport(lines: lines, json: json)
    }

    private static func planHeader<Address>(_ plan: SubnetPlan<Address>) -> [IPJSON.Member] {
        let request: IPJSON
        let method: String
        switch plan.request {
        case .count(let count): (method, request) = ("count", .int(count))
        case .prefixLength(let prefix): (method, request) = ("prefix_length", .int(prefix))
        case .hosts(let hosts): (method, request) = ("vlsm", .array(hosts.map { .int($0) }))
        }
        return [
            .init("version", .int(Address.version)),
            .init("network", .string(plan.parent.description)),
            .init("method", .string(method)),
            .init("requested", request),
        ]
    }

    private static func unusedText<Address>(_ unused: [IPNetwork<Address>]) -> String {
        unused.isEmpty ? "none" : unused.map(\.description).joined(separator: ", ")
    }
}

extension SubnetPlan.Request {
    /// Whether this is a VLSM request.
    var isHosts: Bool {
        if case .hosts = self { return true }
        return false
    }

    /// A few words on what was asked, such as `4 subnets for 100, 50, 20 and 2 hosts (VLSM, largest first)`.
    func summary(subnetCount: Int, prefixLength: Int) -> String {
        switch self {
        case .count(let count):
            return "\(count) equal subnet\(count == 1 ? "" : "s") of /\(prefixLength)"
        case .prefixLength(let prefix):
            return "\(subnetCount) subnet\(subnetCount == 1 ? "" : "s") of /\(prefix)"
        case .hosts(let hosts):
            let sorted = hosts.sorted(by: >).map(String.init)
            let list =
                sorted.count == 1
                ? sorted[0] : sorted.dropLast().joined(separator: ", ") + " and " + sorted.last!
            return
                "\(hosts.count) subnet\(hosts.count == 1 ? "" : "s") for \(list) host\(hosts == [1] ? "" : "s") (VLSM, largest first)"
        }
    }
}
