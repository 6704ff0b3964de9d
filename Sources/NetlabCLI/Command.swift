/// One node of netlab's command tree: a group of subcommands, or a command that runs.
public struct Command: Sendable {
    public typealias Action = @Sendable (Invocation) async throws -> Int32
    /// The work of a command that never waits (the IP calculator): run on the main thread, it starts
    /// without the concurrency runtime's threads, which matters for a tool timed against `sipcalc`.
    public typealias SynchronousAction = @Sendable (Invocation) throws -> Int32

    public let name: String
    /// One line for the parent's command list and the top of `--help`.
    public let summary: String
    /// A paragraph under the usage line, or empty.
    public let discussion: String
    /// The command's options, built only when the command is used: `netlab ip info` never builds the
    /// grader's thirteen (each a key with its decoder), as it never builds the grader's subcommands.
    /// Each read builds them anew, so the parser reads them once.
    public var options: [Option] { makeOptions() }
    private let makeOptions: @Sendable () -> [Option]
    public let positionals: [Positional]
    /// Example command lines shown at the end of `--help`.
    public let examples: [String]
    /// The commands under a group, built only when the group is used: `netlab ip info` never builds
    /// the grader's or the chat's commands (the IP calculator is timed against sipcalc).
    public var subcommands: [Command] { makeSubcommands() }
    private let makeSubcommands: @Sendable () -> [Command]
    public let action: Action?
    /// Set for commands that never wait; `action` then runs it too.
    public let synchronousAction: SynchronousAction?

    /// A command that runs. Its options are the keys its action reads, such as
    /// `options: [.key(.host), .key(.port)]`: each key declares its option, so an option's name is written once.
    init(
        _ name: String, summary: String, discussion: String = "",
        options: @autoclosure @escaping @Sendable () -> [Option] = [], positionals: [Positional] = [],
        examples: [String], action: @escaping Action
    ) {
        self.init(
            name, summary: summary, discussion: discussion, options: options, positionals: positionals,
            examples: examples, subcommands: { [] }, action: action, synchronousAction: nil)
    }

    /// A command that runs and never waits.
    init(
        _ name: String, summary: String, discussion: String = "",
        options: @autoclosure @escaping @Sendable () -> [Option] = [], positionals: [Positional] = [],
        examples: [String], run: @escaping SynchronousAction
    ) {
        self.init(
            name, summary: summary, discussion: discussion, options: options, positionals: positionals,
            examples: examples, subcommands: { [] }, action: { try run($0) }, synchronousAction: run)
    }

    /// A group whose work is done by its subcommands.
    init(
        _ name: String, summary: String, discussion: String = "", examples: [String],
        subcommands: @autoclosure @escaping @Sendable () -> [Command]
    ) {
        self.init(
            name, summary: summary, discussion: discussion, options: { [] }, positionals: [], examples: examples,
            subcommands: subcommands, action: nil, synchronousAction: nil)
    }

    private init(
        _ name: String, summary: String, discussion: String, options: @escaping @Sendable () -> [Option],
        positionals: [Positional],
        examples: [String], subcommands: @escaping @Sendable () -> [Command], action: Action?,
        synchronousAction: SynchronousAction?
    ) {
        self.name = name
        self.summary = summary
        self.discussion = discussion
        self.makeOptions = options
        self.positionals = positionals
        self.examples = examples
        self.makeSubcommands = subcommands
        self.action = action
        self.synchronousAction = synchronousAction
    }
}

/// A `--name VALUE` option or a `--name` flag, as `--help` shows it; made only by an `OptionKey`.
public struct Option: Sendable {
    /// What values an option takes; checked while parsing, so a bad value is a usage error.
    public enum Kind: Sendable, Equatable {
        case flag
        case text
        /// A file's path: shells complete it as one.
        case file
        /// A folder's path: shells complete it as one.
        case folder
        case port
        /// A port to connect to: 0, which picks a free port for a server, names no server.
        case serverPort
        case integer(ClosedRange<Int>)
        case seconds
        case choice([String])
    }

    public let name: String
    public let valueName: String
    public let kind: Kind
    /// The default as `--help` shows it, or nil when the option has none.
    public let defaultValue: String?
    public let help: String
    /// Whether the option may be given more than once, collecting every value.
    public let isRepeatable: Bool
    /// Whether the option's key reads `word` as a value; the parser asks after checking the kind, so no
    /// read ever meets a value it cannot decode.
    let accepts: @Sendable (String) -> Bool
    /// The type the option's key reads, so that a read through a key of another type fails loudly.
    let valueType: ObjectIdentifier

    init(
        _ name: String, _ valueName: String, kind: Kind, default defaultValue: String?, help: String,
        repeatable: Bool, valueType: ObjectIdentifier, accepts: @escaping @Sendable (String) -> Bool
    ) {
        self.name = name
        self.valueName = valueName
        self.kind = kind
        self.defaultValue = defaultValue
        self.help = help
        self.isRepeatable = repeatable
        self.valueType = valueType
        self.accepts = accepts
    }

    var isFlag: Bool { kind == .flag }

    /// The option `key` declares, for a command's list: `options: [.key(.host), .key(.port)]`.
    ///
    /// A plain generic function, which the optimizer specializes at each call. A list built through a
    /// parameter pack (`options: .host, .port`) reads better, but instantiates each key's generic type at
    /// run time: `netlab ip info` ran 804,823 instructions against 710,715 before typed options (callgrind).
    static func key<Value>(_ key: OptionKey<Value>) -> Option { key.option }
}

/// A word on the command line that is not an option, such as the address in `netlab ip info 10.0.0.1/8`.
public struct Positional: Sendable {
    public let name: String
    public let help: String
    public let isOptional: Bool
    /// Takes every remaining word.
    public let isVariadic: Bool

    public init(_ name: String, help: String, optional: Bool = false, variadic: Bool = false) {
        self.name = name
        self.help = help
        self.isOptional = optional
        self.isVariadic = variadic
    }
}
