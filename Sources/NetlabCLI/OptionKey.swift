/// The typed name of one option: declared once as a static member (`.port`, `.reply`), listed in a
/// command's options, and read as `invocation[.port]` (an `Int`) or `invocation[.reply]` (a `ReplyMode`).
///
/// A misspelt key is a compile error; the key also declares the option (`option`: its name, value name,
/// kind, default and help), so the name is written once. The parser checks every value against the kind
/// and the key's decoder before an action runs, so a read never fails on a value and needs no unwrapping.
public struct OptionKey<Value: Sendable>: Sendable {
    /// The option as a command declares it and `--help` shows it.
    public let option: Option
    /// The value the words typed for the option give; nil when none was typed.
    let read: @Sendable ([String]) -> Value?
    /// The value when the option is neither typed nor defaulted by its command: false, nil or no words.
    let fallback: Value
    /// How a default is shown in `--help`; nil for kinds with no default (flags, repeatable options).
    let show: (@Sendable (Value) -> String)?

    public var name: String { option.name }

    init(
        _ name: String, _ valueName: String = "", kind: Option.Kind, default fallback: Value, shown: String?,
        help: String, repeatable: Bool = false, show: (@Sendable (Value) -> String)? = nil,
        read: @escaping @Sendable ([String]) -> Value?
    ) {
        self.option = Option(
            name, valueName, kind: kind, default: shown, help: help, repeatable: repeatable,
            valueType: ObjectIdentifier(Value.self), accepts: { read([$0]) != nil })
        self.read = read
        self.fallback = fallback
        self.show = show
    }

    /// The value of this option in words typed for it (all of them, for a repeatable option).
    func value(in words: [String]) -> Value {
        read(words) ?? fallback
    }

    /// The same option with other help: for a command whose use of it needs other words (`--quiet` on a
    /// server that logs datagrams, not connections). The name and the type stay.
    func with(help: String) -> Self {
        OptionKey(
            option.name, option.valueName, kind: option.kind, default: fallback, shown: option.defaultValue,
            help: help, repeatable: option.isRepeatable, show: show, read: read)
    }

    /// The same option with another default (and help, if given): `--timeout` is 1 s for UDP, 5 s for TCP.
    func with(default newDefault: Value, help: String? = nil) -> Self {
        OptionKey(
            option.name, option.valueName, kind: option.kind, default: newDefault, shown: show.map { $0(newDefault) },
            help: help ?? option.help, repeatable: option.isRepeatable, show: show, read: read)
    }
}

extension OptionKey where Value == Bool {
    /// A `--name` switch that takes no value: true when given.
    static func flag(_ name: String, help: String) -> Self {
        OptionKey(name, kind: .flag, default: false, shown: nil, help: help) { $0.isEmpty ? nil : true }
    }
}

extension OptionKey where Value == String {
    /// A word with a default, such as `--host 127.0.0.1`.
    static func text(
        _ name: String, _ valueName: String, kind: Option.Kind = .text, default fallback: String, help: String
    ) -> Self {
        OptionKey(
            name, valueName, kind: kind, default: fallback, shown: fallback, help: help, show: { $0 },
            read: { $0.last })
    }
}

extension OptionKey where Value == String? {
    /// A word with no default: nil when not given.
    static func text(_ name: String, _ valueName: String, kind: Option.Kind = .text, help: String) -> Self {
        OptionKey(name, valueName, kind: kind, default: nil, shown: nil, help: help) { $0.last.map { $0 } }
    }
}

extension OptionKey where Value == [String] {
    /// An option that may be given again and again, collecting every word in order.
    static func repeatable(_ name: String, _ valueName: String, help: String) -> Self {
        OptionKey(name, valueName, kind: .text, default: [], shown: nil, help: help, repeatable: true) {
            $0.isEmpty ? nil : $0
        }
    }
}

extension OptionKey where Value == Int {
    /// A port: `.port` to listen on (0 picks a free one), `.serverPort` to connect to.
    static func port(_ name: String, kind: Option.Kind = .port, default fallback: Int, help: String) -> Self {
        OptionKey(name, "PORT", kind: kind, default: fallback, shown: String(fallback), help: help, show: String.init) {
            $0.last.flatMap { Int($0) }
        }
    }

    /// A whole number in `range`.
    static func integer(
        _ name: String, _ valueName: String, in range: ClosedRange<Int>, default fallback: Int, help: String
    ) -> Self {
        OptionKey(
            name, valueName, kind: .integer(range), default: fallback, shown: String(fallback), help: help,
            show: String.init
        ) { $0.last.flatMap { Int($0) } }
    }
}

extension OptionKey where Value == Int? {
    /// A port with no default: nil when not given (the command then finds one itself).
    static func port(_ name: String, kind: Option.Kind = .port, help: String) -> Self {
        OptionKey(name, "PORT", kind: kind, default: nil, shown: nil, help: help) { $0.last.flatMap { Int($0) } }
    }

    /// A whole number in `range` with no default: nil when not given.
    static func integer(_ name: String, _ valueName: String, in range: ClosedRange<Int>, help: String) -> Self {
        OptionKey(name, valueName, kind: .integer(range), default: nil, shown: nil, help: help) {
            $0.last.flatMap { Int($0) }
        }
    }
}

extension OptionKey where Value == Duration {
    /// A number of seconds, such as 5 or 0.5, read as a duration (to the millisecond).
    static func seconds(_ name: String, default fallback: Duration, help: String) -> Self {
        OptionKey(
            name, "SECONDS", kind: .seconds, default: fallback, shown: Self.seconds(fallback), help: help,
            show: Self.seconds
        ) { $0.last.flatMap { Double($0) }.map { .milliseconds(Int64(($0 * 1000).rounded())) } }
    }

    /// A duration as `--help` shows seconds: 5, 0.5.
    private static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        let whole = String(milliseconds / 1000)
        guard milliseconds % 1000 != 0 else { return whole }
        var fraction = String(milliseconds % 1000)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return whole + "." + fraction
    }
}

extension OptionKey where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
    /// One of an enumeration's cases, typed as its raw value: `--reply hello` is `ReplyMode.hello`.
    static func choice(_ name: String, _ valueName: String, default fallback: Value, help: String) -> Self {
        OptionKey(
            name, valueName, kind: .choice(Value.allCases.map(\.rawValue)), default: fallback,
            shown: fallback.rawValue, help: help, show: { $0.rawValue },
            read: { $0.last.flatMap(Value.init(rawValue:)) })
    }
}
