import Foundation

/// What a remote command server agrees to run: the defence against running whatever a network peer sends.
///
/// By default a command line is split into words and run without a shell; only allow-listed programs run,
/// their options are read as each program reads them (`ProgramOptions`), and every path they would open
/// must stay inside the served folder. A line holding a control character (NUL above all) is refused first. `--shell` (the seed's `shell=True`)
/// runs `/bin/sh -c LINE` and is accepted only on loopback. See lessons/08-command-servers.md.
public struct CommandPolicy: Sendable {
    /// The programs that run when the server is not told otherwise.
    public static let defaultAllowed = [
        "ls", "pwd", "date", "uname", "whoami", "echo", "cat", "wc", "head", "tail", "md5sum",
    ]
    /// The PATH commands are looked up in, and run with.
    public static let searchPath = "/usr/local/bin:/usr/bin:/bin"

    public let allowed: Set<String>
    /// The served folder, absolute with symbolic links resolved.
    public let folder: String
    public let usesShell: Bool

    /// What to do with one command line.
    public enum Verdict: Equatable {
        case run([String])
        case refuse(message: String, status: Int32)
    }

    public init(allowed: Set<String>, folder: String, usesShell: Bool) {
        self.allowed = allowed
        self.folder = URL(fileURLWithPath: folder).standardizedFileURL.resolvingSymlinksInPath().path
        self.usesShell = usesShell
    }

    public func check(_ line: String) -> Verdict {
        // First of all: a NUL would cut an argument short after it was checked (argv is C strings), and
        // escapes would reach the operator's terminal through the log.
        if let control = Self.controlCharacter(in: line) {
            return .refuse(
                message: "the command line holds the control character \(control) — send only printable text, "
                    + "spaces and tabs", status: 126)
        }
        if usesShell { return .run(["/bin/sh", "-c", line]) }
        let words: [String]
        do {
            words = try CommandWords.split(line)
        } catch {
            return .refuse(message: "\(error)", status: 126)
        }
        guard let name = words.first else { return .refuse(message: "empty command", status: 126) }
        guard !name.contains("/") else {
            return .refuse(message: "'\(name)': give a command's name, not a path to a program", status: 126)
        }
        guard allowed.contains(name) else {
            return .refuse(
                message: "'\(name)' is not allowed here — allowed: \(allowed.sorted().joined(separator: ", ")) "
                    + "(the server's --allow adds one)", status: 126)
        }
        let arguments = Array(words.dropFirst())
        let paths: [String]
        if let table = ProgramOptions.tables[name] {
            // Read the line as the program will, so every value and operand it opens is checked.
            let parsed: ProgramOptions.Parsed
            do {
                parsed = try table.parse(arguments)
            } catch {
                return .refuse(message: "\(error)", status: 126)
            }
            if let refusal = parsed.refusal { return .refuse(message: refusal, status: 126) }
            if name == "date", let setting = parsed.operands.first(where: { !$0.hasPrefix("+") }) {
                return .refuse(
                    message: "'date \(setting)' would set the server's clock — only reading the date is allowed",
                    status: 126)
            }
            paths = parsed.paths
        } else {
            // A program without a table: any word, and any value an option might take, may be a path.
            paths = arguments.flatMap(Self.possiblePaths)
        }
        guard Self.findProgram(name) != nil else {
            return .refuse(message: "'\(name)': command not found on this server", status: 127)
        }
        for candidate in paths {
            if let outside = pathOutside(candidate) {
                return .refuse(
                    message: "'\(candidate)' is outside the served folder (it is \(outside)) — use paths inside it",
                    status: 126)
            }
        }
        return .run(words)
    }

    /// The first character of `line` that a C string or a terminal treats specially, named (`U+0000`),
    /// or nil: C0 controls but tab, DEL, and the C1 controls U+0080 to U+009F.
    public static func controlCharacter(in line: String) -> String? {
        guard let scalar = line.unicodeScalars.first(where: isControl) else { return nil }
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let name = scalar.value == 0 ? " (NUL)" : scalar.value == 0x1B ? " (ESC)" : ""
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + name
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\t") || (0x7F...0x9F).contains(scalar.value)
    }

    /// The first of `date`'s arguments that would set the clock, or nil: `-s`/`--set` in any spelling,
    /// or an operand other than `+FORMAT` — `date MMDDhhmm[[CC]YY]` sets the clock too.
    public static func clockSetting(in arguments: [String]) -> String? {
        guard let parsed = try? ProgramOptions.date.parse(arguments) else { return nil }
        if let set = parsed.options.first(where: { $0.identity == "s" }) { return set.written }
        return parsed.operands.first { !$0.hasPrefix("+") }
    }

    /// Whether one `date` argument asks to set the clock: `--set`, `--se`, `-s`, or `s` in a bundle
    /// (`-us`) before a letter that takes the rest as its value (`-ds` is a date).
    public static func setsTheClock(_ argument: String) -> Bool {
        // A word after it stands for the value `-s` would take.
        guard argument.hasPrefix("-"), let parsed = try? ProgramOptions.date.parse([argument, "value"]) else {
            return false
        }
        return parsed.options.contains { $0.identity == "s" }
    }

    /// For a program without an option table: the word itself, the value of `--option=value`, and
    /// every tail of a short-option bundle, since any letter in `-abc` may take the rest as its value.
    static func possiblePaths(in argument: String) -> [String] {
        guard argument.hasPrefix("-"), argument.count > 1 else { return [argument] }
        if argument.hasPrefix("--") {
            return [argument] + argument.split(separator: "=", maxSplits: 1).dropFirst().map(String.init)
        }
        return [argument] + (2..<max(2, argument.count)).map { String(argument.dropFirst($0)) }
    }

    /// Where `argument` leads when it is opened as a path, if that is outside the folder; nil when it
    /// stays inside. `~` is refused as written: no shell expands it, but it reads as the home folder.
    func pathOutside(_ argument: String) -> String? {
        if argument.hasPrefix("~") { return argument }
        guard let resolved = KernelPath.resolve(argument, in: folder) else {
            return "a loop of symbolic links"
        }
        return resolved == folder || resolved.hasPrefix(folder + "/") || folder == "/" ? nil : resolved
    }

    static func findProgram(_ name: String) -> String? {
        searchPath.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }
}
