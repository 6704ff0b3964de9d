import Foundation

/// Paths as the kernel walks them, for the checks that keep a client inside a folder: the check must see
/// the very path the kernel will open, symbolic links and all.
public enum KernelPath {
    /// The absolute path the kernel opens for `path` from `folder`: symbolic links are followed where
    /// they stand, before a `..` after them (`link/..` is the parent of the link's target, not `.`).
    /// After the first part that does not exist, the rest is taken as written (a program may create it).
    /// Nil for a loop of links.
    public static func resolve(_ path: String, in folder: String) -> String? {
        var resolved = path.hasPrefix("/") ? [] : folder.split(separator: "/").map(String.init)
        var pending = path.split(separator: "/").map(String.init)
        var links = 0
        var exists = true
        while !pending.isEmpty {
            let part = pending.removeFirst()
            if part == "." || part.isEmpty { continue }
            if part == ".." {
                _ = resolved.popLast()
                continue
            }
            resolved.append(part)
            guard exists else { continue }
            let current = "/" + resolved.joined(separator: "/")
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: current) {
                links += 1
                if links > 40 { return nil }  // the kernel's limit too (ELOOP)
                resolved.removeLast()
                if target.hasPrefix("/") { resolved = [] }
                pending = target.split(separator: "/").map(String.init) + pending
            } else if !FileManager.default.fileExists(atPath: current) {
                exists = false
            }
        }
        return "/" + resolved.joined(separator: "/")
    }
}
