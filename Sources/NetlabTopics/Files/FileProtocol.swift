import Foundation
import NetlabSockets

/// The file server's protocol: seed 004's frames, a 4-byte big-endian header length then a JSON header,
/// with the file's bytes sent raw after the header that announces them (lessons/11-file-transfer.md).
///
/// Every request is one header holding `cmd` and its fields; every reply is one header holding
/// `"ok": true` and its fields, or `"ok": false` and `"error"`, one sentence:
///
///     login  {"cmd":"login","user":"alice","password":"…"}   → {"ok":true,"user":"alice","cwd":"/"}
///     ls     {"cmd":"ls","path":"docs"}  (path optional)     → {"ok":true,"path":"/docs","entries":[{"name","size","dir"}]}
///     cd     {"cmd":"cd","path":"docs"}                      → {"ok":true,"cwd":"/docs"}
///     pwd    {"cmd":"pwd"}                                   → {"ok":true,"cwd":"/docs"}
///     get    {"cmd":"get","filename":"a.txt","offset":0}     → {"ok":true,"file_name","file_size","md5","offset"}
///            then the file's bytes from `offset` to its end
///     put    {"cmd":"put","filename","filesize","md5"}       → {"ok":true,"offset":K}, then the client sends
///            the bytes from K (K > 0 resumes a partial upload) → {"ok":true,"file_size","md5"} once checked
///     mkdir  {"cmd":"mkdir","path":"docs"}                   → {"ok":true}
///     rm     {"cmd":"rm","path":"a.txt"}                     → {"ok":true}
///     quota  {"cmd":"quota"}                                 → {"ok":true,"used","limit","free"} (bytes; limit
///            and free are null without a quota) and `used_text`, `free_text`, `limit_text` in human units
///     md5    {"cmd":"md5","filename":"a.txt"}                → {"ok":true,"md5","file_size"}
///     quit   {"cmd":"quit"}                                  → {"ok":true}, and the server closes
///
/// `get` answers with `file_name` and `file_size` and `put` takes `filename` and `filesize`, as seed 004's
/// own programs spell them.
public enum FileProtocol {
    /// The longest header accepted from a client.
    public static let maxHeaderBytes = 16 * 1024
    /// The commands, in the order `help` lists them.
    public static let commands = ["login", "ls", "cd", "pwd", "get", "put", "mkdir", "rm", "quota", "md5", "quit"]

    /// A header's bytes on the wire: length, then JSON with sorted keys (frames are reproducible).
    public static func frame(_ header: [String: any Sendable]) -> [UInt8] {
        let json =
            (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes]))
            .map(Array.init) ?? Array(#"{"ok":false,"error":"the reply could not be written"}"#.utf8)
        let length = UInt32(json.count)
        return [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            + json
    }

    /// A refusal: `{"ok": false, "error": sentence}`.
    public static func refusal(_ sentence: String) -> [String: any Sendable] {
        ["ok": false, "error": sentence]
    }
}

/// One request, as the server reads it: the command and whichever fields it carries.
public struct FileRequest: Decodable, Sendable {
    public var cmd: String
    public var user: String?
    public var password: String?
    public var path: String?
    public var filename: String?
    public var filesize: Int64?
    public var offset: Int64?
    public var md5: String?

    /// The file a `get`, `put` or `md5` names (`filename`, or `path` as the other commands spell it).
    var fileName: String? { filename ?? path }

    /// The request in `header`, or why it is not one.
    static func decode(_ header: [UInt8]) -> Result<FileRequest, FileServerError> {
        guard let request = try? JSONDecoder().decode(FileRequest.self, from: Data(header)) else {
            let text = String(decoding: header.prefix(100), as: UTF8.self)
            return .failure(
                FileServerError(
                    "the header \(text) is not a request — send a JSON object with \"cmd\", such as {\"cmd\":\"ls\"}"))
        }
        return .success(request)
    }
}

/// A request the server refuses, in one sentence for the client.
public struct FileServerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
