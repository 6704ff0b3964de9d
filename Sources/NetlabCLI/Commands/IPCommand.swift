import Foundation
import NetlabIP
import NetlabSockets
import NetlabTopics

/// `netlab ip class|info|split|summarize`: the IP and subnet calculator that shows its working.
enum IPCommand {
    static let command = Command(
        "ip",
        summary:
            "IP and subnet calculator: classes, masks, subnets, VLSM, summarizing; --explain shows the working.",
        examples: [
            "netlab ip info 192.168.1.10/24 --explain",
            "netlab ip split 192.168.1.0/24 --hosts 100,50,20,2",
        ],
        subcommands: [addressClass, info, split, summarize])

    static let addressClass = Command(
        "class",
        summary:
            "Show an IPv4 address's class (A to E), its range and default mask, and any special range.",
        options: [.key(.explain), .key(.ipJSON)],
        positionals: [Positional("ADDR", help: "an IPv4 address, such as 10.1.2.3")],
        examples: ["netlab ip class 172.16.5.4 --explain"],
        run: { invocation in
            let text = invocation.positionals[0]
            let addressText = String(
                text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            if IPv6Address.looksLikeIPv6(addressText) {
                _ = try IPv6Address(parsing: addressText)
                throw IPError.noClassInIPv6(text: addressText)
            }
            let address = try IPv4Address(parsing: addressText)
            var report = IPReport.addressClass(of: address)
            if invocation[.explain] { report.append(IPExplanation.addressClass(of: address)) }
            print(report, invocation)
            return CLI.ExitStatus.success
        })

    static let info = Command(
        "info",
        summary:
            "Show an address's network, broadcast, host range and count, class, special range and bits.",
        discussion: """
            ADDR may carry a prefix or mask: 192.168.1.10/24, 192.168.1.10/255.255.255.0, /0xffffff00 or the
            wildcard /0.0.0.255; or give the mask as a second argument. Without one, the address stands alone (/32).
            IPv6 works too: 2001:db8::1/64.
            """,
        options: [.key(.explain), .key(.ipJSON)],
        positionals: [
            Positional("ADDR", help: "an address, optionally with /PREFIX or /MASK"),
            Positional("MASK", help: "the mask, when not written after a '/'", optional: true),
        ],
        examples: [
            "netlab ip info 192.168.1.10/24 --explain", "netlab ip info 10.1.2.3 255.255.0.0",
            "netlab ip info 2001:db8::1/64",
        ],
        run: { invocation in
            let text = invocation.positionals[0]
            let mask = invocation.positionals.count > 1 ? invocation.positionals[1] : nil
            if mask != nil, text.contains("/") {
                throw invocation.usageError(
                    "'\(text)' already has a prefix after '/'; drop the second argument '\(mask!)'")
            }
            let usesColor = invocation.console.usesColor && !invocation[.json]
            var report: IPReport
            switch try IPInterface(parsing: text, mask: mask) {
            case .v4(let address, let mask):
                report = IPReport.info(address, mask: mask, usesColor: usesColor)
                if invocation[.explain] { report.append(IPExplanation.info(address, mask: mask)) }
            case .v6(let address, let prefixLength):
                report = IPReport.info(address, prefixLength: prefixLength, usesColor: usesColor)
                if invocation[.explain] {
                    report.append(IPExplanation.info(address, prefixLength: prefixLength))
                }
            }
            if IPInterface.isBareAddress(text, mask: mask), !invocation[.json] {
                invocation.console.err(
                    "note: no prefix or mask given, so '\(text)' stands alone; add one, such as \(text)/\(IPv6Address.looksLikeIPv6(text) ? 64 : 24)"
                )
            }
            print(report, invocation)
            return CLI.ExitStatus.success
        })

    static let split = Command(
        "split",
        summary: "Split a network into equal subnets, or into VLSM subnets sized for host counts.",
        discussion:
            "Give exactly one of --into, --prefix or --hosts. VLSM (--hosts) places the largest subnet first.",
        options: [.key(.into), .key(.prefix), .key(.hosts), .key(.explain), .key(.ipJSON)],
        positionals: [Positional("CIDR", help: "the network to split, such as 192.168.1.0/24")],
        examples: [
            "netlab ip split 192.168.1.0/24 --into 4", "netlab ip split 10.0.0.0/16 --prefix 20",
            "netlab ip split 192.168.1.0/24 --hosts 100,50,20,2 --explain",
        ],
        run: { invocation in
            let given = [
                invocation.isGiven(.into) ? OptionKey<Int?>.into.name : nil,
                invocation.isGiven(.prefix) ? OptionKey<String?>.prefix.name : nil,
                invocation.isGiven(.hosts) ? OptionKey<String?>.hosts.name : nil,
            ].compactMap { $0 }
            guard given.count == 1 else {
                throw invocation.usageError(
                    given.isEmpty
                        ? "say how to split: --into N, --prefix P or --hosts A,B,C"
                        : "give only one of --into, --prefix and --hosts, not \(given.map { "--" + $0 }.joined(separator: " and "))"
                )
            }
            let hosts = try invocation[.hosts].map { try hostCounts($0, invocation: invocation) }
            let text = invocation.positionals[0]
            var report: IPReport
            if IPv6Address.looksLikeIPv6(text) {
                let parent = try IPNetwork<IPv6Address>(parsing: text)
                if hosts != nil { throw IPError.hostsNeedIPv4(network: parent.description) }
                let plan = try equalPlan(parent, invocation: invocation)
                report = IPReport.split(plan)
                if invocation[.explain] { report.append(IPExplanation.split(plan)) }
            } else {
                let parent = try IPNetwork<IPv4Address>(parsing: text)
                let plan =
                    try hosts.map { hosts throws(IPError) in try SubnetPlan.vlsm(parent, hosts: hosts) }
                    ?? equalPlan(parent, invocation: invocation)
                report = IPReport.split(plan)
                if invocation[.explain] { report.append(IPExplanation.split(plan)) }
            }
            print(report, invocation)
            return CLI.ExitStatus.success
        })

    static let summarize = Command(
        "summarize", summary: "Merge networks, addresses and ranges A-B into the fewest CIDR blocks.",
        discussion:
            "Duplicates and overlaps are merged. Items may also come from a file, one or more per line.",
        options: [.key(.from), .key(.ipJSON)],
        positionals: [
            Positional(
                "ITEM", help: "a network (10.0.0.0/24), an address, or a range A-B", optional: true,
                variadic: true)
        ],
        examples: [
            "netlab ip summarize 10.0.0.0/24 10.0.1.0/24", "netlab ip summarize 10.0.0.5-10.0.0.20",
            "netlab ip summarize --from prefixes.txt",
        ],
        run: { invocation in
            var items = invocation.positionals
            var origins = [String?](repeating: nil, count: items.count)
            if let file = invocation[.from] {
                for (item, origin) in try readItems(from: file, console: invocation.console) {
                    items.append(item)
                    origins.append(origin)
                }
            }
            guard let first = items.first else {
                throw invocation.usageError(
                    "give at least one network, address or range to summarize, or --from FILE")
            }
            if IPv6Address.looksLikeIPv6(first) {
                return try summarize(items, origins: origins, as: IPv6Address.self, invocation: invocation)
            }
            return try summarize(items, origins: origins, as: IPv4Address.self, invocation: invocation)
        })

    // MARK: Helpers

    private static func print(_ report: IPReport, _ invocation: Invocation) {
        if invocation[.json] {
            invocation.console.out(report.json.text)
        } else {
            invocation.console.out(report.lines.joined(separator: "\n"))
        }
    }

    /// The plan for --into or --prefix.
    private static func equalPlan<Address>(_ parent: IPNetwork<Address>, invocation: Invocation)
        throws(IPError)
        -> SubnetPlan<Address>
    {
        if let prefix = invocation[.prefix] {
            let digits = prefix.hasPrefix("/") ? String(prefix.dropFirst()) : prefix
            return try SubnetPlan.equal(parent, prefixLength: Address.decimalPrefixLength(digits))
        }
        guard let count = invocation[.into] else {
            preconditionFailure("split checks that one of --into, --prefix and --hosts is given")
        }
        return try SubnetPlan.equal(parent, count: count)
    }

    /// Reads `--hosts 100,50,20`.
    private static func hostCounts(_ text: String, invocation: Invocation) throws -> [Int] {
        let words = text.split(separator: ",", omittingEmptySubsequences: false)
        guard words.count <= SubnetPlan<IPv4Address>.limit else {
            throw invocation.usageError(
                "--hosts lists \(words.count) subnets, more than \(SubnetPlan<IPv4Address>.limit)")
        }
        return try words.map { word in
            guard let count = Int(word), (1...4_294_967_294).contains(count) else {
                throw invocation.usageError(
                    "--hosts takes host counts above 0 separated by commas, such as 100,50,20 — '\(word)' is not one"
                )
            }
            return count
        }
    }

    /// `origins` says where each item came from (`prefixes.txt line 3`), nil for the command line.
    private static func summarize<Address: IPAddress>(
        _ items: [String], origins: [String?], as _: Address.Type, invocation: Invocation
    ) throws -> Int32 {
        var ranges: [IPAddressRange<Address>] = []
        ranges.reserveCapacity(items.count)
        for (item, origin) in zip(items, origins) {
            do {
                if item == "-" {
                    throw RuntimeError(
                        "a range is written without spaces around '-', such as 10.0.0.5-10.0.0.20")
                }
                if IPv6Address.looksLikeIPv6(item) != (Address.version == 6) {
                    throw IPError.mixedVersions(first: items[0], second: item)
                }
                ranges.append(try NetworkSummary<Address>.item(parsing: item))
            } catch {
                guard let origin else { throw error }
                throw RuntimeError("\(origin): \(error)")
            }
        }
        let summary = NetworkSummary(ranges: ranges)
        print(IPReport.summary(summary), invocation)
        if !invocation[.json] { invocation.console.err("note: " + IPReport.summaryNote(summary)) }
        return CLI.ExitStatus.success
    }

    /// The items in a file (or standard input for `-`): words separated by spaces or newlines, `#` comments
    /// skipped; each with where it was, `FILE line N`, for an error message.
    private static func readItems(from file: String, console: Console) throws -> [(String, String)] {
        var text = ""
        if file == "-" {
            while let line = console.readLine() { text += String(decoding: line, as: UTF8.self) + "\n" }
        } else {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw RuntimeError("cannot read '\(file)' — check that the file exists and is readable")
            }
            guard let decoded = String(validating: data, as: UTF8.self) else {
                throw RuntimeError(
                    "'\(file)' is not text (it is not UTF-8) — give a file of addresses, one or more per line")
            }
            // Windows Notepad starts a UTF-8 file with a byte order mark, which is not part of the first item.
            text = decoded.hasPrefix("\u{FEFF}") ? String(decoded.dropFirst()) : decoded
        }
        let name = file == "-" ? "standard input" : file
        var items: [(String, String)] = []
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let content =
                line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            for word in content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == "\r" }) {
                items.append((String(word), "\(name) line \(number + 1)"))
            }
        }
        return items
    }
}

extension OptionKey where Value == Bool {
    /// The IP calculator's `--explain`.
    static var explain: Self { .flag("explain", help: "spell out each step of the working") }
    /// The IP calculator's `--json`.
    static var ipJSON: Self {
        .json.with(help: "print one JSON object (fields in lessons/06-ip-addresses-and-subnets.md)")
    }
}

extension OptionKey where Value == Int? {
    /// `netlab ip split --into`.
    static var into: Self { .integer("into", "N", in: 1...SubnetPlan<IPv4Address>.limit, help: "N equal subnets") }
}

extension OptionKey where Value == String? {
    /// `netlab ip split --prefix`.
    static var prefix: Self { .text("prefix", "P", help: "every subnet of prefix length P, such as 26") }
    /// `netlab ip split --hosts`.
    static var hosts: Self { .text("hosts", "A,B,C", help: "one subnet per host count, such as 100,50,20 (IPv4)") }
    /// `netlab ip summarize --from`.
    static var from: Self {
        .text(
            "from", "FILE", kind: .file,
            help: "read more items from FILE ('-' for standard input); '#' starts a comment")
    }
}
