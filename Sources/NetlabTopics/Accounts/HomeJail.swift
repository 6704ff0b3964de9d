import Foundation

/// A user's home folder as the file and FTP servers show it: `/` to the client, and no path leads out.
///
/// A client's path is made absolute from its current folder and its `.` and `..` taken away by name, so
/// what is left has none (`/docs/../a` is `/a`). That path, under the home, is what the server opens; it
/// is first resolved as the kernel resolves it, link by link (`KernelPath`), and must still be inside the
/// home: a symbolic link an administrator made to `/etc` leads nowhere. Names that could fool a log, a
/// listing or the C library are refused: a NUL byte, control characters (CR and LF end an FTP command),
/// a name over 255 bytes, and the names netlab keeps for its own partial files.
public struct HomeJail: Sendable {
    /// What `..` at the top does: the file server refuses it; FTP stays at the top, as RFC 959 servers do.
    public enum AboveHome: Sendable {
        case refused
        case staysHome
    }

    /// The home's real path, links resolved.
    public let root: String
    public let aboveHome: AboveHome
    /// Names beginning with this are netlab's own (partial uploads): never shown, never opened by name.
    public static let reservedPrefix = ".netlab-"

    /// A jail at `home`, which must be a folder.
    public init(home: String, aboveHome: AboveHome = .refused) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: home, isDirectory: &isFolder), isFolder.boolValue,
            let resolved = KernelPath.resolve(URL(fileURLWithPath: home).path, in: "/")
        else {
            throw JailError("the home folder \(home) does not exist — create it, or fix the users file")
        }
        root = resolved
        self.aboveHome = aboveHome
    }

    /// The path as the client sees it, absolute, for `path` typed in the client's folder `current`.
    public func clientPath(_ path: String, from current: String = "/") throws -> String {
        if let problem = Self.problem(withPath: path) { throw JailError(problem) }
        var parts: [Substring] = path.hasPrefix("/") ? [] : current.split(separator: "/")
        for part in path.split(separator: "/") {
            switch part {
            case ".":
                continue
            case "..":
                if parts.popLast() == nil, aboveHome == .refused {
                    throw JailError("'\(path)' leads above your home folder, which is / here — stay inside it")
                }
            default:
                if part.hasPrefix(Self.reservedPrefix) {
                    throw JailError("names beginning with \(Self.reservedPrefix) are netlab's own — choose another")
                }
                parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The real path to open for a client path (absolute, from `clientPath`); throws when a symbolic link
    /// on the way leads out of the home.
    public func realPath(of clientPath: String) throws -> String {
        let path = clientPath == "/" ? root : root + clientPath
        guard let resolved = KernelPath.resolve(path, in: "/") else {
            throw JailError("'\(clientPath)' is a loop of symbolic links")
        }
        guard resolved == root || resolved.hasPrefix(root == "/" ? "/" : root + "/") else {
            throw JailError(
                "'\(clientPath)' is a symbolic link that leads outside your home folder — it cannot be used")
        }
        return resolved
    }

    /// `clientPath` then `realPath`: the client's view and the path to open.
    public func resolve(_ path: String, from current: String = "/") throws -> (client: String, real: String) {
        let client = try clientPath(path, from: current)
        return (client, try realPath(of: client))
    }

    /// Why a path as typed cannot be used, or nil.
    static func problem(withPath path: String) -> String? {
        if path.isEmpty { return "the path is empty — name a file or folder" }
        if path.utf8.contains(0) { return "a path cannot contain a NUL byte" }
        if path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "a path cannot contain control characters such as a line end — rename the file"
        }
        if let long = path.split(separator: "/").first(where: { $0.utf8.count > 255 }) {
            return "a name is at most 255 bytes, and '\(long.prefix(40))…' has \(long.utf8.count)"
        }
        return nil
    }
}

/// A path the jail refuses, in one sentence that names the rule.
public struct JailError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
