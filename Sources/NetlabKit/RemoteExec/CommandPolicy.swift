import Foundation

/// What a remote command server agrees to run: the defence against running whatever a network peer sends.
///
/// By default a command line is split into words and run without a shell; only allow-listed programs run,
/// and every path argument must stay inside the served folder. `--shell` (the seed's `shell=True`)
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
        if name == "date", let setting = Self.clockSetting(in: Array(words.dropFirst())) {
            return .refuse(
                message: "'date \(setting)' would set the server's clock — only reading the date is allowed",
                status: 126)
        }
        guard Self.findProgram(name) != nil else {
            return .refuse(message: "'\(name)': command not found on this server", status: 127)
        }
        for argument in words.dropFirst() {
            for candidate in pathCandidates(in: argument) {
                if let outside = pathOutside(candidate) {
                    return .refuse(
                        message: "'\(candidate)' is outside the served folder (it is \(outside)) — use paths inside it",
                        status: 126)
                }
            }
        }
        return .run(words)
    }

    /// The first of `date`'s arguments that would set the clock, or nil: an option that sets it, or an
    /// operand other than `+FORMAT` — `date MMDDhhmm[[CC]YY]` sets the clock too.
    public static func clockSetting(in arguments: [String]) -> String? {
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if !optionsEnded, argument == "--" {
                optionsEnded = true
            } else if !optionsEnded, argument.hasPrefix("-"), argument.count > 1 {
                if setsTheClock(argument) { return argument }
                // These take the next word as their value: `date -d yesterday`.
                if ["-d", "-f", "-r", "--date", "--file", "--reference"].contains(argument) { index += 1 }
            } else if !argument.hasPrefix("+") {
                return argument
            }
        }
        return nil
    }

    /// Whether a `date` option asks to set the clock: `--set`, `-s`, or `s` among short options (`-us`)
    /// before one that takes a value (`-d`, `-f`, `-r`, `-I`), after which the letters are that value.
    public static func setsTheClock(_ argument: String) -> Bool {
        if argument.hasPrefix("--") {
            // getopt takes any unambiguous start of a long option: --s, --se and --set all set.
            let name = argument.prefix { $0 != "=" }
            return name.count >= 3 && "--set".hasPrefix(name)
        }
        guard argument.hasPrefix("-") else { return false }
        for letter in argument.dropFirst() {
            if letter == "s" { return true }
            if "dfrI".contains(letter) { return false }
        }
        return false
    }

    /// The parts of an argument that may name a file: the word itself, the value of `--option=value`,
    /// and the value glued to a short option (`-f/etc/hostname`).
    func pathCandidates(in argument: String) -> [String] {
        guard argument.hasPrefix("-") else { return [argument] }
        if argument.hasPrefix("--") {
            return argument.split(separator: "=", maxSplits: 1).dropFirst().map(String.init)
        }
        return argument.count > 2 ? [String(argument.dropFirst(2))] : []
    }

    /// The resolved path when `argument` names a place outside the folder; nil when it stays inside
    /// or is no path at all. A word is a path when it has `/`, is `..`, starts with `~`, or names
    /// something in the folder (which may be a symbolic link pointing out of it).
    func pathOutside(_ argument: String) -> String? {
        let namesEntry = FileManager.default.fileExists(atPath: folder + "/" + argument)
        let looksLikePath = argument.contains("/") || argument == ".." || argument.hasPrefix("~") || namesEntry
        guard looksLikePath else { return nil }
        if argument.hasPrefix("~") { return argument }
        let url =
            argument.hasPrefix("/")
            ? URL(fileURLWithPath: argument) : URL(fileURLWithPath: folder).appendingPathComponent(argument)
        let resolved = url.standardizedFileURL.resolvingSymlinksInPath().path
        return resolved == folder || resolved.hasPrefix(folder + "/") ? nil : resolved
    }

    static func findProgram(_ name: String) -> String? {
        searchPath.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }
}
