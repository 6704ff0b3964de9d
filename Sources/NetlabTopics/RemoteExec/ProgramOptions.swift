import NetlabSockets

/// How one allowed program reads its command line, so the policy sees it as the program will.
///
/// The default programs are GNU coreutils, which read options with getopt_long(3): `-abc` is three
/// short flags, a short option that takes a value takes the rest of its word or the next word
/// (`-f/etc/shadow`, `-uf /etc/shadow`), a long option takes `--file=X` or `--file X` and any
/// unambiguous start of its name (`--fi=X`), `--` ends the options, and options may come after
/// operands (GNU permutes them). Each table below was taken from the program's `--help` and from its
/// `--x` ambiguity messages (which name hidden options too) in coreutils 9.1; an option the table
/// lacks is refused, never guessed. See lessons/08-command-servers.md.
struct ProgramOptions: Sendable {
    /// What a value or an operand is to the program.
    enum Meaning: Sendable, Equatable {
        /// A file it opens: must stay inside the served folder.
        case path
        /// Text it does not open (a count, a pattern, a date).
        case text
    }

    /// Whether an option takes a value.
    enum Value: Sendable, Equatable {
        case none
        /// `-f X`, `-fX`, `--file=X`, `--file X`.
        case required(Meaning)
        /// Only glued on: `-Idate`, `--iso-8601=date`.
        case optional(Meaning)
    }

    /// One option: its value, the short letter or long name that identifies it (aliases share it), and
    /// why it is refused, if it is.
    struct Spec: Sendable {
        let value: Value
        let identity: String
        let refusal: String?
    }

    /// What the command line asked for, once read.
    struct Parsed: Sendable {
        /// Each option as written (`-s`, `--se`) with its value, in order.
        var options: [(written: String, identity: String, value: String?)] = []
        var operands: [String] = []
        /// Every word that the program opens as a file.
        var paths: [String] = []
        /// Options the table refuses, as written, each with its reason.
        var refusals: [(written: String, reason: String)] = []

        /// The first refusal as one sentence, or nil.
        var refusal: String? { refusals.first.map { "'\($0.written)' \($0.reason)" } }
    }

    let program: String
    let short: [Character: Spec]
    let long: [String: Spec]
    /// What the operands (the words that are not options) are.
    let operands: Meaning
    /// `echo` reads no options with getopt: only leading words made of -n, -e and -E.
    let isEcho: Bool

    /// Reads `arguments` (the words after the program's name) as the program would; throws a
    /// `RuntimeError` naming the first word it cannot read. Options the table refuses are listed in
    /// `refusals`, for the caller to refuse.
    func parse(_ arguments: [String]) throws -> Parsed {
        if isEcho { return Parsed(operands: arguments) }
        var parsed = Parsed()
        var index = 0
        if let count = obsoleteCount(arguments) {
            // `head -5 f`, `tail -5c f`, `tail +5 f`: the first word is a count, the rest as usual.
            parsed.options.append((arguments[0], "count", count))
            index = 1
        }
        var optionsEnded = false
        func operand(_ word: String) {
            parsed.operands.append(word)
            if operands == .path { parsed.paths.append(word) }
        }
        func take(_ spec: Spec, written: String, value: String?) throws {
            if let refusal = spec.refusal { parsed.refusals.append(("\(program) \(written)", refusal)) }
            parsed.options.append((written, spec.identity, value))
            if let value, case .path = spec.meaning { parsed.paths.append(value) }
        }
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if optionsEnded || word == "-" || !word.hasPrefix("-") {
                operand(word)  // GNU permutes: options may still follow
            } else if word == "--" {
                optionsEnded = true
            } else if word.hasPrefix("--") {
                let body = word.dropFirst(2)
                let name = String(body.prefix { $0 != "=" })
                let glued = body.firstIndex(of: "=").map { String(body[body.index(after: $0)...]) }
                let (fullName, spec) = try longOption(name, written: word)
                let written = "--" + name
                switch spec.value {
                case .none:
                    if glued != nil {
                        throw RuntimeError("'\(program) \(written)' takes no value — drop '=\(glued!)'")
                    }
                    try take(spec, written: written, value: nil)
                case .optional:
                    try take(spec, written: written, value: glued)
                case .required:
                    if let glued {
                        try take(spec, written: written, value: glued)
                    } else if index < arguments.count {
                        try take(spec, written: written, value: arguments[index])
                        index += 1
                    } else {
                        throw RuntimeError("'\(program) --\(fullName)' needs a value after it")
                    }
                }
            } else {
                var letters = Substring(word.dropFirst())
                while let letter = letters.first {
                    letters = letters.dropFirst()
                    guard let spec = short[letter] else {
                        throw RuntimeError(
                            "'\(program)' has no option '-\(letter)' that this server knows — leave it out")
                    }
                    let written = "-" + String(letter)
                    switch spec.value {
                    case .none:
                        try take(spec, written: written, value: nil)
                        continue
                    case .optional:
                        try take(spec, written: written, value: letters.isEmpty ? nil : String(letters))
                    case .required:
                        // The rest of the word is the value; with nothing left, the next word is.
                        if !letters.isEmpty {
                            try take(spec, written: written, value: String(letters))
                        } else if index < arguments.count {
                            try take(spec, written: written, value: arguments[index])
                            index += 1
                        } else {
                            throw RuntimeError("'\(program) \(written)' needs a value after it")
                        }
                    }
                    break
                }
            }
        }
        return parsed
    }

    /// The long option `name` stands for, as getopt_long finds it: the exact name, or the one option
    /// (or aliases of one) whose name begins with it.
    private func longOption(_ name: String, written: String) throws -> (String, Spec) {
        if let spec = long[name] { return (name, spec) }
        let matches = long.filter { !name.isEmpty && $0.key.hasPrefix(name) }.sorted { $0.key < $1.key }
        guard let first = matches.first else {
            throw RuntimeError(
                "'\(program)' has no option '--\(name)' that this server knows — leave it out")
        }
        guard matches.allSatisfy({ $0.value.identity == first.value.identity }) else {
            let names = matches.map { "--" + $0.key }.joined(separator: ", ")
            throw RuntimeError("'--\(name)' could mean \(names) for \(program) — write the option out in full")
        }
        return (first.key, first.value)
    }

    /// The count in head's and tail's old first-word syntax (`head -5`, `tail -5c`, `tail +5`,
    /// `tail -f`), or nil when the first word is not one.
    private func obsoleteCount(_ arguments: [String]) -> String? {
        guard let first = arguments.first else { return nil }
        let rest = first.dropFirst()
        switch program {
        case "head":
            // head takes `-NUM[suffix]` as its first word before reading options.
            guard first.hasPrefix("-"), rest.first?.isASCII == true, rest.first?.isNumber == true else { return nil }
            return String(rest)
        case "tail":
            // tail only with one option and at most one file that is not an option.
            guard
                arguments.count == 1
                    || (arguments.count == 2 && !(arguments[1].hasPrefix("-") && arguments[1].count > 1))
            else { return nil }
            guard first.hasPrefix("+") || (first.hasPrefix("-") && rest != "" && rest != "c") else { return nil }
            guard first.count > 1, rest.wholeMatch(of: /[0-9]*[bcl]?f?/) != nil else { return nil }
            return String(rest)
        default:
            return nil
        }
    }
}

extension ProgramOptions.Spec {
    fileprivate var meaning: ProgramOptions.Meaning? {
        switch value {
        case .none: nil
        case .required(let meaning), .optional(let meaning): meaning
        }
    }
}

extension ProgramOptions {
    /// The table of each default program, by name.
    static let tables: [String: ProgramOptions] = Dictionary(
        uniqueKeysWithValues: [ls, pwd, date, uname, whoami, echo, cat, wc, head, tail, md5sum].map { ($0.program, $0) }
    )

    /// Builds a table: `flags` are short options without a value, `values` short options with a text value;
    /// `longs` maps each long name to its short letter (or to itself) and value.
    private static func table(
        _ program: String, flags: String, values: String = "", longs: [(String, String, Value)],
        refused: [String: String] = [:], extra: [Character: Value] = [:], operands: Meaning = .path
    ) -> ProgramOptions {
        var short: [Character: Spec] = [:]
        for letter in flags {
            short[letter] = Spec(value: .none, identity: String(letter), refusal: refused["-\(letter)"])
        }
        for letter in values {
            short[letter] = Spec(value: .required(.text), identity: String(letter), refusal: refused["-\(letter)"])
        }
        for (letter, value) in extra {
            short[letter] = Spec(value: value, identity: String(letter), refusal: refused["-\(letter)"])
        }
        var long: [String: Spec] = [:]
        for (name, identity, value) in longs + [("help", "help", .none), ("version", "version", .none)] {
            let refusal = refused["--" + name] ?? (identity.count == 1 ? refused["-" + identity] : nil)
            long[name] = Spec(value: value, identity: identity, refusal: refusal)
        }
        return ProgramOptions(program: program, short: short, long: long, operands: operands, isEcho: false)
    }

    private static let followsLinks =
        "follows symbolic links, which may lead out of the served folder — it is refused here"

    static let ls = table(
        "ls", flags: "abcdfghiklmnopqrstuvxABCDFGHLNQRSUXZ1", values: "wIT",
        longs: [
            ("all", "a", .none), ("almost-all", "A", .none), ("author", "author", .none), ("escape", "b", .none),
            ("block-size", "block-size", .required(.text)), ("ignore-backups", "B", .none),
            ("color", "color", .optional(.text)), ("directory", "d", .none), ("dired", "D", .none),
            ("classify", "F", .optional(.text)), ("file-type", "file-type", .none),
            ("format", "format", .required(.text)), ("full-time", "full-time", .none),
            ("group-directories-first", "group-directories-first", .none), ("no-group", "G", .none),
            ("human-readable", "h", .none), ("si", "si", .none), ("dereference-command-line", "H", .none),
            ("dereference-command-line-symlink-to-dir", "dereference-command-line-symlink-to-dir", .none),
            ("hide", "hide", .required(.text)), ("hyperlink", "hyperlink", .optional(.text)),
            ("indicator-style", "indicator-style", .required(.text)), ("inode", "i", .none),
            ("ignore", "I", .required(.text)), ("kibibytes", "k", .none), ("dereference", "L", .none),
            ("numeric-uid-gid", "n", .none), ("literal", "N", .none), ("hide-control-chars", "q", .none),
            ("show-control-chars", "show-control-chars", .none), ("quote-name", "Q", .none),
            ("quoting-style", "quoting-style", .required(.text)), ("reverse", "r", .none),
            ("recursive", "R", .none), ("size", "s", .none), ("sort", "sort", .required(.text)),
            ("time", "time", .required(.text)), ("time-style", "time-style", .required(.text)),
            ("tabsize", "T", .required(.text)), ("width", "w", .required(.text)), ("context", "Z", .none),
            ("zero", "zero", .none),
        ],
        refused: [
            "-L": followsLinks, "-H": followsLinks, "--dereference-command-line-symlink-to-dir": followsLinks,
        ])

    static let pwd = table(
        "pwd", flags: "LP", longs: [("logical", "L", .none), ("physical", "P", .none)])

    /// date: `-f`/`--file` and `-r`/`--reference` open a file; `-s`/`--set` would set the clock.
    static let date = table(
        "date", flags: "uR", values: "ds",
        longs: [
            ("date", "d", .required(.text)), ("debug", "debug", .none), ("file", "f", .required(.path)),
            ("iso-8601", "I", .optional(.text)), ("resolution", "resolution", .none), ("rfc-email", "R", .none),
            ("rfc-822", "R", .none), ("rfc-2822", "R", .none), ("rfc-3339", "rfc-3339", .required(.text)),
            ("reference", "r", .required(.path)), ("set", "s", .required(.text)), ("utc", "u", .none),
            ("universal", "u", .none),
        ],
        refused: ["-s": "would set the server's clock — only reading the date is allowed"],
        extra: ["f": .required(.path), "r": .required(.path), "I": .optional(.text)], operands: .text)

    static let uname = table(
        "uname", flags: "aimnoprsv",
        longs: [
            ("all", "a", .none), ("kernel-name", "s", .none), ("nodename", "n", .none),
            ("kernel-release", "r", .none), ("kernel-version", "v", .none), ("machine", "m", .none),
            ("processor", "p", .none), ("hardware-platform", "i", .none), ("operating-system", "o", .none),
        ])

    static let whoami = table("whoami", flags: "", longs: [])

    /// echo opens no file: every word is text.
    static let echo = ProgramOptions(program: "echo", short: [:], long: [:], operands: .text, isEcho: true)

    static let cat = table(
        "cat", flags: "benstuvAET",
        longs: [
            ("show-all", "A", .none), ("number-nonblank", "b", .none), ("show-ends", "E", .none),
            ("number", "n", .none), ("squeeze-blank", "s", .none), ("show-tabs", "T", .none),
            ("show-nonprinting", "v", .none),
        ])

    static let wc = table(
        "wc", flags: "clmwL",
        longs: [
            ("bytes", "c", .none), ("chars", "m", .none), ("lines", "l", .none),
            ("files0-from", "files0-from", .required(.path)), ("max-line-length", "L", .none),
            ("words", "w", .none), ("debug", "debug", .none),
        ],
        refused: [
            "--files0-from": "reads file names from a file, which the server cannot check — name the files instead"
        ])

    static let head = table(
        "head", flags: "qvz0123456789", values: "cn",
        longs: [
            ("bytes", "c", .required(.text)), ("lines", "n", .required(.text)), ("quiet", "q", .none),
            ("silent", "q", .none), ("verbose", "v", .none), ("zero-terminated", "z", .none),
            ("-presume-input-pipe", "-presume-input-pipe", .none),
        ])

    static let tail = table(
        "tail", flags: "fqvzF0123456789", values: "cns",
        longs: [
            ("bytes", "c", .required(.text)), ("follow", "follow", .optional(.text)), ("lines", "n", .required(.text)),
            ("max-unchanged-stats", "max-unchanged-stats", .required(.text)), ("pid", "pid", .required(.text)),
            ("quiet", "q", .none), ("silent", "q", .none), ("retry", "retry", .none),
            ("sleep-interval", "s", .required(.text)), ("verbose", "v", .none), ("zero-terminated", "z", .none),
            ("-disable-inotify", "-disable-inotify", .none), ("-presume-input-pipe", "-presume-input-pipe", .none),
        ])

    static let md5sum = table(
        "md5sum", flags: "bctwz",
        longs: [
            ("binary", "b", .none), ("check", "c", .none), ("tag", "tag", .none), ("text", "t", .none),
            ("zero", "z", .none), ("ignore-missing", "ignore-missing", .none), ("quiet", "quiet", .none),
            ("status", "status", .none), ("strict", "strict", .none), ("warn", "w", .none),
        ],
        refused: [
            "-c": "reads file names from a checksum file, which the server cannot check — name the files instead"
        ])
}
