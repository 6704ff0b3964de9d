import Foundation

/// Finds netlab's top-level data folders (`lessons/`, `exercises/`) at run time.
///
/// They are plain files an instructor can edit, not compiled in. netlab looks in `$NETLAB_HOME`, then in
/// `share/netlab` beside the running executable's folder (an installed `PREFIX/bin/netlab` reads
/// `PREFIX/share/netlab`, as `scripts/install.sh` lays it out), then in the folders above the executable
/// (`.build/release/netlab` sits two levels under the checkout), then in the current folder and those
/// above it.
public enum ProjectFolder {
    public static func locate(_ name: String) -> URL? {
        var candidates: [URL] = []
        if let home = ProcessInfo.processInfo.environment["NETLAB_HOME"], !home.isEmpty {
            candidates.append(URL(fileURLWithPath: home))
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let binFolder = executable.deletingLastPathComponent()
        candidates.append(binFolder.deletingLastPathComponent().appendingPathComponent("share/netlab"))
        candidates += ancestors(of: binFolder)
        candidates += ancestors(of: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        for folder in candidates {
            let url = folder.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
                return url
            }
        }
        return nil
    }

    private static func ancestors(of url: URL) -> [URL] {
        var result: [URL] = []
        var current = url.standardizedFileURL
        for _ in 0..<6 {
            result.append(current)
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { break }
            current = parent
        }
        return result
    }
}
