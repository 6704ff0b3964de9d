import Foundation
import NetlabTopics
import Testing

@testable import NetlabCLI

/// Every command in netlab's tree, with its full path (`netlab tcp server`), depth first.
func everyCommand() -> [(path: String, command: Command)] {
    var found: [(String, Command)] = []
    func walk(_ command: Command, _ path: String) {
        found.append((path, command))
        for sub in command.subcommands { walk(sub, path + " " + sub.name) }
    }
    walk(CommandTable.root, CommandTable.root.name)
    return found
}

/// The words of an example's netlab command: `echo hi | netlab tcp client --port 1` gives
/// `["tcp", "client", "--port", "1"]`, and `source <(netlab completions bash)` gives `["completions", "bash"]`.
/// Single quotes group words, as the shell does; a redirection ends the command.
func netlabWords(ofExample example: String) -> [String]? {
    let pipeline = example.split(separator: "|").map { String($0) }
    guard
        let segment = pipeline.first(where: {
            $0.hasPrefix("netlab") || $0.contains(" netlab") || $0.contains("(netlab")
        }),
        let start = segment.range(of: "netlab")
    else { return nil }
    var line = String(segment[start.lowerBound...])
    for end in [")", " >", " <"] {
        if let cut = line.range(of: end) { line = String(line[..<cut.lowerBound]) }
    }
    var words: [String] = []
    var word = ""
    var isQuoted = false
    var hasWord = false
    for character in line {
        if character == "'" {
            isQuoted.toggle()
            hasWord = true
        } else if character == " ", !isQuoted {
            if hasWord { words.append(word) }
            word = ""
            hasWord = false
        } else {
            word.append(character)
            hasWord = true
        }
    }
    if hasWord { words.append(word) }
    return Array(words.dropFirst())
}

@Suite("The command tree", .machineShare)
struct CommandTreeTests {
    @Test("every command has a summary and an example; names are unique in their group")
    func summariesAndExamples() {
        let commands = everyCommand()
        #expect(commands.count > 30)
        for (path, command) in commands {
            #expect(!command.summary.isEmpty, "\(path) has no summary")
            #expect(!command.examples.isEmpty, "\(path) has no example")
            #expect(command.name.allSatisfy { $0.isLowercase || $0 == "-" }, "\(path): a command is lower-case")
            let names = command.subcommands.map(\.name)
            #expect(Set(names).count == names.count, "\(path) has two subcommands of one name")
            if !command.subcommands.isEmpty {
                #expect(command.options.isEmpty && command.action == nil, "\(path): a group only has subcommands")
            } else {
                #expect(command.action != nil, "\(path) neither runs nor has subcommands")
            }
        }
    }

    @Test("option names are unique per command, well formed, and clash with neither --help nor --version")
    func optionNames() {
        for (path, command) in everyCommand() {
            let names = command.options.map(\.name)
            #expect(Set(names).count == names.count, "\(path) declares an option twice: \(names)")
            for option in command.options {
                #expect(!["help", "h", "version"].contains(option.name), "\(path) --\(option.name) is netlab's own")
                #expect(
                    option.name.first?.isLowercase == true
                        && option.name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" },
                    "\(path) --\(option.name): lower-case words joined by '-'")
                #expect(!option.help.isEmpty, "\(path) --\(option.name) has no help")
                if option.isFlag {
                    #expect(option.valueName.isEmpty, "\(path) --\(option.name) is a flag with a value name")
                } else {
                    #expect(
                        !option.valueName.isEmpty && option.valueName == option.valueName.uppercased(),
                        "\(path) --\(option.name) needs an upper-case value name")
                }
            }
        }
    }

    @Test("every default and every choice parses under its option's kind and key")
    func defaultsParse() {
        for (path, command) in everyCommand() {
            for option in command.options {
                if let value = option.defaultValue {
                    #expect(
                        throws: Never.self, "\(path) --\(option.name)'s default '\(value)' is not a value it takes"
                    ) {
                        try ArgumentParser.check(value, for: option, path: path)
                    }
                    #expect(!option.isFlag && !option.isRepeatable, "\(path) --\(option.name) cannot have a default")
                }
                switch option.kind {
                case .choice(let choices):
                    #expect(!choices.isEmpty, "\(path) --\(option.name) offers no choice")
                    for choice in choices {
                        #expect(option.accepts(choice), "\(path) --\(option.name) lists '\(choice)' but cannot read it")
                    }
                case .integer(let range):
                    #expect(range.count > 1, "\(path) --\(option.name) takes one number only")
                case .port, .serverPort:
                    #expect(option.valueName == "PORT", "\(path) --\(option.name)")
                case .flag, .text, .file, .folder, .seconds:
                    break
                }
            }
        }
    }

    @Test("positionals are upper-case words; only the last is variadic, and optional ones come last")
    func positionals() {
        for (path, command) in everyCommand() {
            let names = command.positionals.map(\.name)
            #expect(Set(names).count == names.count, "\(path)")
            for (index, positional) in command.positionals.enumerated() {
                let word = positional.name.hasPrefix("-- ") ? String(positional.name.dropFirst(3)) : positional.name
                #expect(
                    !word.isEmpty && word == word.uppercased() && word.first?.isLetter == true,
                    "\(path) \(positional.name): an upper-case word, or '-- WORD' for what follows '--'")
                #expect(!positional.help.isEmpty, "\(path) \(positional.name) has no help")
                let isLast = index == command.positionals.count - 1
                if positional.isVariadic || positional.name.hasPrefix("-- ") {
                    #expect(isLast, "\(path) \(positional.name) must come last")
                }
                if positional.isOptional, !isLast {
                    let rest = command.positionals[(index + 1)...]
                    #expect(rest.allSatisfy { $0.isOptional }, "\(path)")
                }
            }
        }
    }

    @Test("every example parses with the real parser, and a command's examples run that command")
    func examplesParse() throws {
        let parser = ArgumentParser(root: CommandTable.root)
        for (path, command) in everyCommand() {
            for example in command.examples {
                let words = try #require(netlabWords(ofExample: example), "\(path): '\(example)' runs no netlab")
                do {
                    switch try parser.parse(words, console: .capture()) {
                    case .run(let ran, let invocation):
                        if command.subcommands.isEmpty {
                            #expect(invocation.commandPath == path, "\(path): '\(example)' runs \(ran.name)")
                        } else {
                            #expect(invocation.commandPath.hasPrefix(path), "\(path): '\(example)'")
                        }
                    case .help, .version:
                        Issue.record("\(path): '\(example)' only asks for help")
                    }
                } catch {
                    Issue.record("\(path): '\(example)' does not parse: \(error)")
                }
            }
        }
    }

    /// Options that shared code reads with one key (`ServerOptions.announce` reads `.host`;
    /// `UnixSocketOption.endpoint` reads `.host`, `.port` and `.unix`): wherever a command declares one of
    /// these names, it must be of the key's type, or the shared read stops netlab.
    @Test("an option read by shared code has one type wherever it is declared")
    func sharedOptionsAgree() {
        let shared: [(name: String, type: ObjectIdentifier)] = [
            (OptionKey.host.name, OptionKey.host.option.valueType),
            (OptionKey.port.name, OptionKey.port.option.valueType),
            (OptionKey.unix.name, OptionKey.unix.option.valueType),
            (OptionKey.timeout.name, OptionKey.timeout.option.valueType),
            (OptionKey.quiet.name, OptionKey.quiet.option.valueType),
            (OptionKey.json.name, OptionKey.json.option.valueType),
            (OptionKey.reply.name, OptionKey.reply.option.valueType),
        ]
        // The daytime commands have no port by default (it comes from the services database): an Int?,
        // read by their own code only.
        let exceptions: Set<String> = ["netlab daytime server --port", "netlab daytime client --port"]
        for (path, command) in everyCommand() {
            for option in command.options {
                guard let key = shared.first(where: { $0.name == option.name }),
                    !exceptions.contains("\(path) --\(option.name)")
                else { continue }
                #expect(option.valueType == key.type, "\(path) declares --\(option.name) with another type")
            }
        }
    }

    @Test("reads are typed: ports are numbers, replies are modes, timeouts durations, absent options nil")
    func typedReads() throws {
        let parser = ArgumentParser(root: CommandTable.root)
        guard
            case .run(_, let server) = try parser.parse(
                ["tcp", "server", "--port", "0", "--reply", "upper"], console: .capture())
        else {
            Issue.record("tcp server did not parse")
            return
        }
        #expect(server[.port] == 0)
        #expect(server[.reply] == .upper)
        #expect(server[.host] == "127.0.0.1")
        #expect(server[.quiet] == false)
        #expect(server[.unix] == nil)
        #expect(server.isGiven(.port) && !server.isGiven(.host))
        guard case .run(_, let client) = try parser.parse(["udp", "client", "--retries", "4"], console: .capture())
        else {
            Issue.record("udp client did not parse")
            return
        }
        #expect(client[.timeout] == .seconds(1))
        #expect(client[.retries] == 4)
        #expect(client[.port] == 21567)
        guard case .run(_, let daytime) = try parser.parse(["daytime", "server"], console: .capture()) else {
            Issue.record("daytime server did not parse")
            return
        }
        #expect(daytime[.daytimePort] == nil, "no --port: the port comes from the services database")
        guard
            case .run(_, let rexec) = try parser.parse(
                ["rexec", "server", "--allow", "ps", "--allow", "touch", "--timeout", "0.25"], console: .capture())
        else {
            Issue.record("rexec server did not parse")
            return
        }
        #expect(rexec[.allow] == ["ps", "touch"])
        #expect(rexec[.timeout] == .milliseconds(250))
    }

    @Test("--help shows seconds as typed: 5, 0.5, 120")
    func secondsShown() {
        #expect(OptionKey.timeout.with(default: .milliseconds(500)).option.defaultValue == "0.5")
        #expect(OptionKey.timeout.with(default: .seconds(120)).option.defaultValue == "120")
        #expect(OptionKey.timeout.with(default: .milliseconds(1250)).option.defaultValue == "1.25")
    }

    @Test(
        "reading an option the command does not declare stops netlab with a message naming it", .tags(.integration))
    func undeclaredRead() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let parser = ArgumentParser(root: CommandTable.root)
            if case .run(_, let invocation) = try parser.parse(["ip", "class", "10.1.2.3"], console: .capture()) {
                _ = invocation[.port]
            }
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("netlab ip class reads --port, which it does not declare"), "\(message)")
    }
}
