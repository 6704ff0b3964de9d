import Foundation

/// How a chat program's text becomes bytes: UTF-8, or GBK as seed 003's programs write Chinese.
///
/// GBK is read and written through Foundation's GB 18030 converter: GB 18030 is GBK's successor, and
/// every GBK byte sequence means the same in it.
public enum ChatEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case gbk

    private static let gb18030 = String.Encoding(rawValue: 0x8000_0632)

    /// The text, or nil when the bytes are not valid in this encoding.
    public func decode(_ bytes: [UInt8]) -> String? {
        switch self {
        case .utf8: String(validating: bytes, as: UTF8.self)
        case .gbk: String(data: Data(bytes), encoding: Self.gb18030)
        }
    }

    /// The text's bytes in this encoding (GB 18030 can write every character).
    public func encode(_ text: String) -> [UInt8] {
        switch self {
        case .utf8: Array(text.utf8)
        case .gbk: text.data(using: Self.gb18030).map { Array($0) } ?? Array(text.utf8)
        }
    }

    /// How a peer that wrote `bytes` speaks: UTF-8 when they are UTF-8 (plain ASCII too), else GBK when
    /// they read as GBK, else nil.
    public static func detect(_ bytes: [UInt8]) -> ChatEncoding? {
        if utf8.decode(bytes) != nil { return .utf8 }
        return gbk.decode(bytes) != nil ? .gbk : nil
    }
}

/// What the chat server and client do about encodings: `auto` (the default) follows each peer.
public enum ChatEncodingChoice: String, Sendable, CaseIterable {
    case auto
    case utf8 = "utf-8"
    case gbk

    /// The one encoding chosen, or nil for `auto`.
    var fixed: ChatEncoding? {
        switch self {
        case .auto: nil
        case .utf8: .utf8
        case .gbk: .gbk
        }
    }

    /// Decodes a peer's bytes, given how it spoke so far; returns the text and how it speaks now.
    /// With `auto`, a peer whose bytes are not UTF-8 but read as GBK is taken to speak GBK from then on.
    func decode(_ bytes: [UInt8], current: ChatEncoding) -> (text: String, encoding: ChatEncoding)? {
        if let fixed { return fixed.decode(bytes).map { ($0, fixed) } }
        if let text = current.decode(bytes) { return (text, current) }
        guard let other = ChatEncoding.detect(bytes), let text = other.decode(bytes) else { return nil }
        return (text, other)
    }
}
