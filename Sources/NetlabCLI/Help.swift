/// Renders `--help` for any command: usage line, summary, options with defaults, and an example.
enum Help {
    static func text(for command: Command, path: String) -> String {
        var lines: [String] = []
        lines.append("Usage: \(usage(of: command, path: path))")
        lines.append("")
        lines.append(command.summary)
        if !command.discussion.isEmpty {
            lines.append("")
            lines.append(command.discussion)
        }
        if !command.subcommands.isEmpty {
            lines.append("")
            lines.append("Commands:")
            let width = command.subcommands.map(\.name.count).max() ?? 0
            for sub in command.subcommands {
                lines.append("  " + pad(sub.name, to: width) + "  " + sub.summary)
            }
        }
        if !command.positionals.isEmpty {
            lines.append("")
            lines.append("Arguments:")
            let width = command.positionals.map(\.name.count).max() ?? 0
            for positional in command.positionals {
                lines.append("  " + pad(positional.name, to: width) + "  " + positional.help)
            }
        }
        lines.append("")
        lines.append("Options:")
        var rows: [(String, String)] = command.options.map { option in
            let left = option.isFlag ? "--\(option.name)" : "--\(option.name) \(option.valueName)"
            var right = option.help
            if let value = option.defaultValue { right += " (default: \(value))" }
            return (left, right)
        }
        rows.append(("-h, --help", "show this help"))
        if command.subcommands.contains(where: { _ in true }), path.split(separator: " ").count == 1 {
            rows.append(("--version", "print netlab's version"))
        }
        let width = rows.map(\.0.count).max() ?? 0
        for (left, right) in rows { lines.append("  " + pad(left, to: width) + "  " + right) }
        if !command.examples.isEmpty {
            lines.append("")
            lines.append(command.examples.count == 1 ? "Example:" : "Examples:")
            for example in command.examples { lines.append("  " + example) }
        }
        return lines.joined(separator: "\n")
    }

    static func usage(of command: Command, path: String) -> String {
        if !command.subcommands.isEmpty { return "\(path) <command> [options]" }
        var parts = [path]
        if !command.options.isEmpty { parts.append("[options]") }
        for positional in command.positionals {
            var word = positional.name
            if positional.isVariadic { word += "..." }
            parts.append(positional.isOptional ? "[\(word)]" : word)
        }
        return parts.joined(separator: " ")
    }

    private static func pad(_ text: String, to width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}
