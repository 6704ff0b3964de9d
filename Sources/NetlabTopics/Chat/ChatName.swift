import Foundation

/// A user's or a room's name on the chat server, checked and normalised so that names that look
/// alike are the same name.
///
/// A name is NFKC-normalised (fullwidth `ｂｏｂ` is `bob`), then must be 1 to `maxLength` letters,
/// ASCII digits and `_ - .`, its letters all of one script: Latin, Greek or Cyrillic, or Chinese,
/// Japanese and Korean (Han, Hiragana, Katakana, Hangul), which may mix with ASCII letters as CJK
/// users' names do (`小明Li`). Spaces, controls and invisible characters (zero-width spaces, bidi
/// overrides, line separators) are refused. Names are compared case-folded (`Bob` is `bob`), and a
/// user name may not be a reserved word, nor look like one or like a name already taken
/// (`skeleton`). See lessons/10-chat-server.md.
struct ChatName: Sendable, Equatable {
    /// The name as shown: what was typed, NFKC-normalised.
    let text: String
    /// What names are compared by: NFKC, case-folded.
    let key: String
    /// The name with look-alike letters replaced by the Latin ones they imitate (Cyrillic `о`, Greek
    /// `Ο` and the digit `0` by `o`, `I` and `1` by `l`), case-folded: two names with one skeleton
    /// look the same on screen.
    let skeleton: String

    enum Kind {
        case user, room
    }

    /// The longest name, in characters.
    static let maxLength = 32

    /// Words the protocols or a reader give a meaning to: a user so named could forge the server's
    /// notices (`server:`), answers (`success`, `reuse`, `quit`, `error`) or `all:` messages.
    static let reserved: Set<String> = [
        "server", "all", "error", "success", "reuse", "quit", "netlab", "admin", "administrator", "root",
        "system", "notice", "operator", "everyone",
    ]

    /// The rule, in words, for a refusal.
    static func rule(for kind: Kind) -> String {
        switch kind {
        case .user:
            "a name is 1 to \(maxLength) letters, digits, '_', '-' or '.', its letters of one script (Latin, Greek, "
                + "Cyrillic, or Chinese/Japanese/Korean with Latin), not a reserved word such as server or all"
        case .room:
            "a room is 1 to \(maxLength) letters, digits, '_', '-' or '.', its letters of one script (Latin, Greek, "
                + "Cyrillic, or Chinese/Japanese/Korean with Latin)"
        }
    }

    /// Checks a name; throws a sentence that says why it cannot be used and states the rule.
    init(_ raw: String, kind: Kind) throws(ChatNameError) {
        func refuse(_ problem: String) -> ChatNameError {
            ChatNameError(problem: problem, rule: Self.rule(for: kind))
        }
        let noun = kind == .user ? "a name" : "a room"
        if raw.isEmpty { throw refuse("\(noun) cannot be empty") }
        // Bounded before normalising: NFKC can lengthen text (U+FDFA is 18 characters).
        if raw.unicodeScalars.count > 4 * Self.maxLength { throw refuse("that \(noun.dropFirst(2)) is too long") }
        let text = raw.precomposedStringWithCompatibilityMapping
        if text.count > Self.maxLength { throw refuse("that \(noun.dropFirst(2)) is too long") }
        var scripts: Set<Script> = []
        var hasNonASCIILatin = false
        for scalar in text.unicodeScalars {
            if ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-" || scalar == "." { continue }
            guard let script = Self.script(ofLetter: scalar) else {
                throw refuse("\(noun) cannot hold spaces, symbols, or invisible or control characters")
            }
            scripts.insert(script)
            if script == .latin && !scalar.isASCII { hasNonASCIILatin = true }
        }
        let isOneScript =
            scripts.count <= 1 || (scripts == [.cjk, .latin] && !hasNonASCIILatin)
        if !isOneScript { throw refuse("\(noun) cannot mix scripts (such as Latin and Cyrillic)") }
        let key = Self.key(of: text)
        let skeleton = Self.skeleton(of: text)
        if kind == .user, Self.reserved.contains(key) || Self.reservedSkeletons.contains(skeleton) {
            throw refuse("that name is reserved or looks like a reserved one")
        }
        self.text = text
        self.key = key
        self.skeleton = skeleton
    }

    /// The key a name is looked up by (for `/msg NAME` and `NAME:message`), without checking it.
    static func key(of raw: String) -> String {
        raw.precomposedStringWithCompatibilityMapping.folding(options: [.caseInsensitive], locale: nil)
            .precomposedStringWithCompatibilityMapping
    }

    private static func skeleton(of text: String) -> String {
        var mapped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { mapped.append(lookAlikes[scalar] ?? scalar) }
        return key(of: String(mapped))
    }

    private static let reservedSkeletons = Set(reserved.map(skeleton(of:)))

    /// Letters that look like a Latin letter (or, for `I` and digits, like another Latin letter): a
    /// small part of Unicode's confusables (UTS #39), enough for the Latin look-alikes of Cyrillic and
    /// Greek that a one-script name can be spelt with.
    private static let lookAlikes: [Unicode.Scalar: Unicode.Scalar] = {
        let pairs: [(String, String)] = [
            // Latin and digits
            ("I1ı0", "llio"),
            // Cyrillic, small then capital
            ("аеіјорсухѕһԁԛԝӏү", "aeijopcyxshdqwly"),
            ("АВЕЅІЈКМНОРСТХУҮԚԜӀ", "ABESlJKMHOPCTXYYQWl"),
            // Greek, small then capital
            ("αοριυνκ", "aopiuvk"),
            ("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHlKMNOPTYX"),
        ]
        var table: [Unicode.Scalar: Unicode.Scalar] = [:]
        for (from, to) in pairs {
            precondition(from.unicodeScalars.count == to.unicodeScalars.count, "a look-alike without its letter")
            for (source, target) in zip(from.unicodeScalars, to.unicodeScalars) { table[source] = target }
        }
        return table
    }()

    private enum Script {
        case latin, greek, cyrillic, cjk
    }

    /// The script of a letter a name may hold, or nil for anything else.
    private static func script(ofLetter scalar: Unicode.Scalar) -> Script? {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: break
        default: return nil
        }
        switch scalar.value {
        case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F, 0x1E00...0x1EFF: return .latin
        case 0x370...0x3FF, 0x1F00...0x1FFF: return .greek
        case 0x400...0x52F, 0x1C80...0x1C8F, 0xA640...0xA69F: return .cyrillic
        case 0x3005, 0x3041...0x309F, 0x30A0...0x30FF, 0x31F0...0x31FF,  // 々, Hiragana, Katakana
            0x1100...0x11FF, 0x3130...0x318F, 0xAC00...0xD7AF,  // Hangul
            0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x3134F:  // Han
            return .cjk
        default: return nil
        }
    }
}

/// Why a chat name cannot be used.
struct ChatNameError: Error, CustomStringConvertible {
    /// What is wrong with this name: "a name cannot mix scripts (such as Latin and Cyrillic)".
    let problem: String
    /// The rule every name follows.
    let rule: String

    /// One sentence: the problem, then the rule.
    var description: String { "\(problem); \(rule)" }
}
