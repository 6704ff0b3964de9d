import NetlabTopics

/// Turns argv into the command to run and its `Invocation`, or a `UsageError` that says what to fix.
///
/// Written by hand: netlab depends on nothing but the Swift toolchain.
struct ArgumentParser {
    /// What the command line asks for.
    enum Outcome {
        case run(Command, Invocation)
        case help(Command, path: String)
        case version
    }

    let root: Command

    /// The error for an option given before the command it belongs to was named: `netlab --port 0 tcp`.
    private func misplacedOption(_ word: String, before command: Command, path: String) -> UsageError {
        let name = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
        let valid = command.name == root.name ? ["--help", "--version"] : ["--help"]
        if name == "--version" {
            return UsageError(command: path, "--version is netlab's own option: run 'netlab --version'")
        }
        if let owner = Self.firstCommand(below: command, path: path, accepting: name) {
            return UsageError(
                command: path, "\(name) goes after the command it belongs to, as in '\(owner) \(name) ...'")
        }
        let closest = Suggestion.closest(to: name, in: valid) ?? "--help"
        return UsageError(
            command: path, "unknown option '\(name)' — did you mean '\(closest)'? See '\(path) --help'")
    }

    /// The first command under `command` (depth first) that has option `name`, as its full path.
    private static func firstCommand(below command: Command, path: String, accepting name: String) -> String? {
        for sub in command.subcommands {
            let subPath = path + " " + sub.name
            if sub.options.contains(where: { "--" + $0.name == name }) { return subPath }
            if let found = firstCommand(below: sub, path: subPath, accepting: name) { return found }
        }
        return nil
    }

    func parse(_ arguments: [String], console: Console) throws -> Outcome {
        var command = root
        var path = root.name
        var index = 0

        // Walk down the tree while words name subcommands.
        while !command.subcommands.isEmpty {
            guard index < arguments.count else {
                if command.name == root.name { return .help(command, path: path) }
                let names = command.subcommands.map(\.name)
                throw UsageError(
                    command: path,
                    "missing command — choose one of \(Self.list(names)); see '\(path) --help'")
            }
            let word = arguments[index]
            if word == "--help" || word == "-h" || word == "help" { return .help(command, path: path) }
            if word == "--version" && command.name == root.name {
                guard index + 1 == arguments.count else {
                    throw UsageError(command: path, "--version takes nothing after it; run 'netlab --version' alone")
                }
                return .version
            }
            guard let next = command.subcommands.first(where: { $0.name == word }) else {
                if word.hasPrefix("-") { throw misplacedOption(word, before: command, path: path) }
                let names = command.subcommands.map(\.name)
                let closest = Suggestion.closest(to: word, in: names) ?? names[0]
                throw UsageError(
                    command: path, "unknown command '\(word)' — did you mean '\(closest)'? See '\(path) --help'")
            }
            command = next
            path += " " + next.name
            index += 1
        }

        let firstOption = index
        let options = command.options
        var words: [String: [String]] = [:]
        var positionals: [String] = []
        var trailing: [String] = []
        var hasTrailing = false
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if word == "--" {
                hasTrailing = true
                trailing = Array(arguments[index...])
                break
            }
            if word == "--help" || word == "-h" { return .help(command, path: path) }
            guard word.hasPrefix("--") || (word.hasPrefix("-") && word.count > 1 && !Self.isNumber(word)) else {
                // A command that takes a program after '--' (netlab grade) gets the line with '--' added.
                if let trailing = command.positionals.last, trailing.name.hasPrefix("-- "),
                    positionals.count == command.positionals.count - 1
                {
                    let what = trailing.help.replacingOccurrences(of: ", after '--'", with: "")
                    let fixed = Array(arguments[firstOption..<index - 1] + ["--"] + arguments[(index - 1)...])
                    throw UsageError(
                        command: path, "put \(what) after '--', as in: \(path) \(CommandWords.join(fixed))")
                }
                positionals.append(word)
                continue
            }
            var name = word
            var inlineValue: String?
            if let equals = word.firstIndex(of: "=") {
                name = String(word[..<equals])
                inlineValue = String(word[word.index(after: equals)...])
            }
            guard let option = options.first(where: { "--" + $0.name == name }) else {
                if name == "--version" {
                    throw UsageError(command: path, "--version is netlab's own option: run 'netlab --version'")
                }
                let names = options.map { "--" + $0.name } + ["--help"]
                let closest = Suggestion.closest(to: name, in: names) ?? "--help"
                throw UsageError(
                    command: path, "unknown option '\(name)' — did you mean '\(closest)'? See '\(path) --help'")
            }
            if option.isFlag {
                if inlineValue != nil {
                    throw UsageError(command: path, "--\(option.name) takes no value; write just '--\(option.name)'")
                }
                words[option.name] = [""]
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else if index < arguments.count {
                value = arguments[index]
                index += 1
            } else {
                throw UsageError(command: path, "--\(option.name) needs a value: --\(option.name) \(option.valueName)")
            }
            try Self.check(value, for: option, path: path)
            if !option.isRepeatable, words[option.name] != nil {
                throw UsageError(command: path, "--\(option.name) was given twice; give it once")
            }
            words[option.name, default: []].append(value)
        }

        try checkPositionals(positionals, of: command, path: path)
        let invocation = Invocation(
            commandPath: path, console: console, options: options, words: words, positionals: positionals,
            trailing: trailing, hasTrailing: hasTrailing)
        return .run(command, invocation)
    }

    private func checkPositionals(_ words: [String], of command: Command, path: String) throws {
        let required = command.positionals.filter { !$0.isOptional }
        if words.count < required.count {
            let missing = required[words.count]
            throw UsageError(command: path, "missing \(missing.name) — \(missing.help); see '\(path) --help'")
        }
        let isVariadic = command.positionals.last?.isVariadic ?? false
        if !isVariadic, words.count > command.positionals.count {
            let extra = words[command.positionals.count]
            throw UsageError(command: path, "unexpected argument '\(extra)'; see '\(path) --help'")
        }
    }

    /// Checks an option's value against its kind and its key, so actions never see a bad one.
    static func check(_ value: String, for option: Option, path: String) throws {
        try checkKind(value, for: option, path: path)
        guard option.accepts(value) else {
            throw UsageError(command: path, "--\(option.name) cannot take '\(value)'; see '\(path) --help'")
        }
    }

    private static func checkKind(_ value: String, for option: Option, path: String) throws {
        let flag = "--\(option.name)"
        switch option.kind {
        case .flag, .text, .file, .folder:
            return
        case .port:
            guard let port = Int(value), (0...65_535).contains(port) else {
                throw UsageError(command: path, "\(flag) must be a port number from 0 to 65535, not '\(value)'")
            }
        case .serverPort:
            guard let port = Int(value), (1...65_535).contains(port) else {
                throw UsageError(
                    command: path, "\(flag) must be the server's port, a number from 1 to 65535, not '\(value)'")
            }
        case .integer(let range):
            guard let number = Int(value), range.contains(number) else {
                throw UsageError(
                    command: path,
                    "\(flag) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(value)'")
            }
        case .seconds:
            guard let seconds = Double(value), seconds > 0, seconds <= 86_400 else {
                throw UsageError(
                    command: path,
                    "\(flag) must be a number of seconds above 0 and at most 86400 (a day), such as 1 or 0.5, not '\(value)'"
                )
            }
        case .choice(let choices):
            guard choices.contains(value) else {
                let closest = Suggestion.closest(to: value, in: choices) ?? choices[0]
                throw UsageError(
                    command: path,
                    "\(flag) must be one of \(list(choices)), not '\(value)' — did you mean '\(closest)'?")
            }
        }
    }

    static func list(_ words: [String]) -> String {
        switch words.count {
        case 0: ""
        case 1: words[0]
        default: words.dropLast().joined(separator: ", ") + " or " + words.last!
        }
    }

    private static func isNumber(_ word: String) -> Bool { Double(word) != nil }
}
