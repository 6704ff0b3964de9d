import Foundation
import Glibc
import NetlabSockets

/// Exercise 16-5's command server (seed 001): the timestamp server taught three commands.
///
/// `date` answers the server's time in ctime form, `os` the operating system's name and release,
/// `ls` the file names of the served folder as one JSON array, sorted; anything else gets the timestamp
/// reply `[ctime] text`. Every reply is one line. Read it with lessons/08-command-servers.md.
public final class CommandServer: StreamServer {
    public let folder: String
    public let console: Console
    public let listener: Socket

    /// socket, bind, listen.
    public init(host: String, port: Int, folder: String, console: Console) throws {
        self.folder = folder
        self.console = console
        listener = try Socket.listening(host: host, port: port)
    }

    /// The longest request answered; a longer line gets one error.
    static let maxRequestBytes = 4096

    /// One client: receive a request, send its answer, until the client leaves.
    public func converse(with client: Socket) async throws {
        var reader = LineReader(client, maxLineBytes: Self.maxRequestBytes)
        while let request = try await reader.next() {
            guard request.ending == .overlong else {
                try await client.send(answer(to: request.string) + "\n")
                continue
            }
            // One answer per request, at once; the rest of the line, up to its line end, is read and
            // dropped, never run (the reader does not let a pause end an overlong line).
            try await client.send("error: a request is at most \(Self.maxRequestBytes) bytes\n")
            var rest = request
            while rest.ending == .overlong, let next = try await reader.next() { rest = next }
        }
    }

    /// The answer to one request, without its line end.
    public func answer(to request: String) -> String {
        switch request.trimmingCharacters(in: .whitespaces) {
        case "date": CTime.now()
        case "os": Self.operatingSystem()
        case "ls": Self.listing(of: folder)
        default: "[\(CTime.now())] \(request)"
        }
    }

    /// `Linux 6.1.0-18-amd64`: the system's name and release, from uname(2).
    static func operatingSystem() -> String {
        var names = utsname()
        uname(&names)
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return "\(text(names.sysname)) \(text(names.release))"
    }

    /// The folder's file names as a JSON array on one line, sorted; an error sentence if it cannot be read.
    static func listing(of folder: String) -> String {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            return "error: cannot list \(folder)"
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(names.sorted())) ?? Data("[]".utf8), as: UTF8.self)
    }
}
