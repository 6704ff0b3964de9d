import NetlabTopics

/// A parsed command line: the values a command's action reads, already checked against their options.
public struct Invocation: Sendable {
    /// The command's full name, such as `netlab tcp server`.
    public let commandPath: String
    public let console: Console
    var values: [String: [String]]
    var flags: Set<String>
    /// The words that were not options, in order.
    public let positionals: [String]
    /// The words after `--`, as they were typed.
    public let trailing: [String]
    /// Whether `--` was given at all.
    public let hasTrailing: Bool
    let defaults: [String: String]

    /// The value of an option, or its default; nil when it has neither.
    public func string(_ name: String) -> String? {
        values[name]?.last ?? defaults[name]
    }

    /// Every value given for a repeatable option.
    public func strings(_ name: String) -> [String] {
        values[name] ?? []
    }

    /// Whether an option was typed on the command line (not just defaulted).
    public func isGiven(_ name: String) -> Bool {
        values[name] != nil || flags.contains(name)
    }

    /// The value of an integer or port option (validated while parsing).
    public func int(_ name: String) -> Int {
        Int(string(name) ?? "") ?? 0
    }

    /// The value of a `.seconds` option as a duration.
    public func duration(_ name: String) -> Duration {
        let seconds = Double(string(name) ?? "") ?? 0
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// Whether a flag was given.
    public func flag(_ name: String) -> Bool {
        flags.contains(name)
    }

    /// A usage error in this command, for checks the parser cannot make alone.
    public func usageError(_ message: String) -> UsageError {
        UsageError(command: commandPath, message)
    }
}
