import Foundation

/// One account of the file, FTP and mail servers: a section of the users file.
public struct UserAccount: Sendable, Equatable {
    public var name: String
    /// The stored password hash, `pbkdf2_sha256$ITERATIONS$SALT$HASH` (Django's format).
    public var passwordHash: String
    /// The home folder as written in the file: relative to the served root, or absolute inside it.
    public var home: String
    /// The most bytes the home may hold; nil for no limit.
    public var quota: Int64?

    public init(name: String, passwordHash: String, home: String, quota: Int64?) {
        self.name = name
        self.passwordHash = passwordHash
        self.home = home
        self.quota = quota
    }
}

/// The users file, an INI file with one section per user, as seed 004's FTP homework asks:
///
///     [alice]
///     password = pbkdf2_sha256$600000$Qx3…$…
///     home = alice
///     quota = 10M
///
/// Python's `configparser` reads it as it is. Comments (`#` or `;`) and keys netlab does not know are
/// kept when netlab rewrites the file, and every rewrite is atomic: a new file, then a rename.
public struct UsersFile: Sendable {
    /// A line inside a section (or before the first): a field, or anything else kept as written.
    private enum Line: Sendable {
        case field(key: String, value: String)
        case other(String)
    }

    private struct Section: Sendable {
        var name: String
        var lines: [Line]

        func value(_ key: String) -> String? {
            for case .field(let name, let value) in lines where name == key { return value }
            return nil
        }

        mutating func set(_ key: String, _ value: String?) {
            let index = lines.firstIndex {
                if case .field(key, _) = $0 { return true }
                return false
            }
            switch (index, value) {
            case (let index?, let value?): lines[index] = .field(key: key, value: value)
            case (let index?, nil): lines.remove(at: index)
            case (nil, let value?): lines.insert(.field(key: key, value: value), at: fieldEnd)
            case (nil, nil): break
            }
        }

        /// Where a new field goes: after the last field, before trailing blank lines.
        private var fieldEnd: Int {
            (lines.lastIndex {
                if case .field = $0 { return true }
                return false
            } ?? -1) + 1
        }
    }

    /// The file's path.
    public let path: String
    private var preamble: [Line] = []
    private var sections: [Section] = []

    /// The accounts, in the file's order.
    public var accounts: [UserAccount] { sections.compactMap { try? Self.account(from: $0, in: path) } }

    /// Reads the users file at `path`; a file that does not exist yet holds no users.
    public init(path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else { return }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsersFileError(path: path, "cannot be read — check its permissions")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw UsersFileError(path: path, "is not UTF-8 text — is it the users file?")
        }
        try parse(text)
    }

    private mutating func parse(_ text: String) throws {
        var lineNumber = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = String(raw.hasSuffix("\r") ? raw.dropLast() : raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]"), trimmed.count > 2 else {
                    throw UsersFileError(path: path, line: lineNumber, "'\(trimmed)' is not a section — write [NAME]")
                }
                let name = String(trimmed.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                if sections.contains(where: { $0.name == name }) {
                    throw UsersFileError(
                        path: path, line: lineNumber, "user \(name) appears twice — keep one [\(name)] section")
                }
                sections.append(Section(name: name, lines: []))
                continue
            }
            let entry: Line
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") {
                entry = .other(line)
            } else if let separator = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" }) {
                let key = trimmed[..<separator].trimmingCharacters(in: .whitespaces).lowercased()
                let value = trimmed[trimmed.index(after: separator)...].trimmingCharacters(in: .whitespaces)
                entry = .field(key: key, value: value)
            } else {
                throw UsersFileError(path: path, line: lineNumber, "'\(trimmed)' is not KEY = VALUE")
            }
            if sections.isEmpty {
                if case .field = entry {
                    throw UsersFileError(
                        path: path, line: lineNumber, "'\(trimmed)' comes before any [USER] section")
                }
                preamble.append(entry)
            } else {
                sections[sections.count - 1].lines.append(entry)
            }
        }
        for section in sections { _ = try Self.account(from: section, in: path) }
    }

    private static func account(from section: Section, in path: String) throws -> UserAccount {
        if let problem = UserName.problem(with: section.name) {
            throw UsersFileError(path: path, "[\(section.name)]: \(problem)")
        }
        guard let hash = section.value("password"), !hash.isEmpty else {
            throw UsersFileError(
                path: path, "user \(section.name) has no password — set one with netlab users passwd \(section.name)")
        }
        var quota: Int64?
        if let text = section.value("quota"), !text.isEmpty {
            guard let bytes = ByteSize.parse(text) else {
                throw UsersFileError(
                    path: path, "user \(section.name)'s quota '\(text)' is not a size — write it as 500K, 10M or 1G")
            }
            quota = bytes
        }
        return UserAccount(
            name: section.name, passwordHash: hash, home: section.value("home") ?? section.name, quota: quota)
    }

    /// The account called `name`, if there is one.
    public func account(named name: String) -> UserAccount? {
        guard let section = sections.first(where: { $0.name == name }) else { return nil }
        return try? Self.account(from: section, in: path)
    }

    /// Adds an account, or replaces the one with its name (other keys and comments in its section stay).
    public mutating func set(_ account: UserAccount) {
        var section =
            sections.first(where: { $0.name == account.name }) ?? Section(name: account.name, lines: [])
        section.set("password", account.passwordHash)
        section.set("home", account.home)
        section.set("quota", account.quota.map(Self.quotaText))
        if let index = sections.firstIndex(where: { $0.name == account.name }) {
            sections[index] = section
        } else {
            // A blank line before a new section, as people write INI files.
            if let last = sections.indices.last, case .field = sections[last].lines.last {
                sections[last].lines.append(.other(""))
            }
            sections.append(section)
        }
    }

    /// Removes the account called `name`; false when there was none.
    @discardableResult
    public mutating func remove(named name: String) -> Bool {
        guard let index = sections.firstIndex(where: { $0.name == name }) else { return false }
        sections.remove(at: index)
        return true
    }

    /// A quota as the file writes it: `10M` for an exact number of MiB, else bytes.
    static func quotaText(_ bytes: Int64) -> String {
        for (suffix, shift) in [("G", 30), ("M", 20), ("K", 10)] where bytes > 0 && bytes % (Int64(1) << shift) == 0 {
            return "\(bytes >> shift)\(suffix)"
        }
        return "\(bytes)"
    }

    /// The file's text.
    public var text: String {
        func render(_ line: Line) -> String {
            switch line {
            case .field(let key, let value): "\(key) = \(value)"
            case .other(let text): text
            }
        }
        var lines = preamble.map(render)
        for section in sections {
            lines.append("[\(section.name)]")
            lines += section.lines.map(render)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the file: a new file beside it (readable by its owner only: it holds password hashes),
    /// flushed, then renamed over the old one, so a crash never leaves half a users file.
    public func save() throws {
        do {
            try AtomicFile.write(Array(text.utf8), to: path, permissions: 0o600)
        } catch {
            throw UsersFileError(path: path, "could not be written (\(error)) — check the folder's permissions")
        }
    }
}

/// What a user may be called: a name that is also a folder name and safe in an INI section and a log line.
public enum UserName {
    /// Why `name` cannot be a user name, or nil when it can.
    public static func problem(with name: String) -> String? {
        if name.isEmpty || name.utf8.count > 32 { return "a user name has 1 to 32 characters" }
        let allowed = name.unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "_.-".unicodeScalars.contains($0))
        }
        if !allowed || name.hasPrefix(".") || name.hasPrefix("-") {
            return "'\(name)' is not a user name — use letters, digits, '_', '-' and '.', not first"
        }
        return nil
    }
}

/// A problem with the users file, naming the file (and the line) and how to fix it.
public struct UsersFileError: Error, CustomStringConvertible {
    public let description: String

    init(path: String, line: Int? = nil, _ problem: String) {
        description = "\(path)\(line.map { " line \($0)" } ?? ""): \(problem)"
    }
}
