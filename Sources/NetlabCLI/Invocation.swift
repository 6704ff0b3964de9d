import NetlabTopics

/// A parsed command line: the values a command's action reads, already checked against their options.
public struct Invocation: Sendable {
    /// The command's full name, such as `netlab tcp server`.
    public let commandPath: String
    public let console: Console
    /// The options the command declares.
    let options: [Option]
    /// The words typed for each option, by name; a flag that was given has one empty word.
    let words: [String: [String]]
    /// The words that were not options, in order.
    public let positionals: [String]
    /// The words after `--`, as they were typed.
    public let trailing: [String]
    /// Whether `--` was given at all.
    public let hasTrailing: Bool

    /// The value of an option: what was typed, else the default this command declares (false for a flag,
    /// nil for an optional value, no words for a repeatable one).
    ///
    /// The default is the command's, not the key's: `udp client` declares `--timeout` with 1 s, and its
    /// read of `.timeout` gives 1 s. Reading an option the command does not declare is a programmer error,
    /// and stops netlab with a message naming it (`CommandTreeTests` checks the keys shared code reads).
    public subscript<Value>(key: OptionKey<Value>) -> Value {
        let option = declaration(of: key)
        return key.value(in: words[key.name] ?? option.defaultValue.map { [$0] } ?? [])
    }

    /// Whether an option was typed on the command line (not just defaulted).
    public func isGiven<Value>(_ key: OptionKey<Value>) -> Bool {
        _ = declaration(of: key)
        return words[key.name] != nil
    }

    /// A usage error in this command, for checks the parser cannot make alone.
    public func usageError(_ message: String) -> UsageError {
        UsageError(command: commandPath, message)
    }

    /// How this command declares the option `key` reads; stops netlab when it does not.
    private func declaration<Value>(of key: OptionKey<Value>) -> Option {
        guard let option = options.first(where: { $0.name == key.name }) else {
            preconditionFailure(
                "\(commandPath) reads --\(key.name), which it does not declare: add the key to its options")
        }
        precondition(
            option.valueType == key.option.valueType,
            "\(commandPath) reads --\(key.name) as \(Value.self), but declares it with another type")
        return option
    }
}
