import Glibc

/// An IPv4 or IPv6 address and port, or a Unix socket's path: a `struct sockaddr_in`, `sockaddr_in6` or `sockaddr_un`.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address family, as the C library names it.
    public enum Family: Sendable {
        case ipv4, ipv6
        /// A Unix domain socket (AF_UNIX): a file on this machine, never the network (lessons/03-tcp-sockets.md).
        case unix

        var rawValue: Int32 {
            switch self {
            case .ipv4: AF_INET
            case .ipv6: AF_INET6
            case .unix: AF_UNIX
            }
        }
    }

    /// The longest Unix socket path: `sun_path` holds 108 bytes, the last one the terminating NUL.
    public static let maxUnixPathBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    /// The raw bytes of the `sockaddr` structure, as the kernel wants it.
    let storage: [UInt8]

    /// Wraps `length` bytes of a sockaddr the kernel filled in.
    init(bytes: UnsafeRawPointer, length: Int) {
        storage = Array(UnsafeRawBufferPointer(start: bytes, count: length))
    }

    /// The address of a Unix socket file (`struct sockaddr_un`); throws when the path is too long for one.
    public init(unixPath path: String) throws {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count <= Self.maxUnixPathBytes, !bytes.contains(0) else {
            throw SocketError.badUnixPath(path: path, limit: Self.maxUnixPathBytes)
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = MemoryLayout<sa_family_t>.size + bytes.count + 1
        storage = withUnsafeBytes(of: &address) { Array($0.prefix(length)) }
    }

    /// The address family of this address.
    public var family: Family {
        storage.withUnsafeBytes { raw in
            switch Int32(raw.load(fromByteOffset: 0, as: sa_family_t.self)) {
            case AF_INET6: .ipv6
            case AF_UNIX: .unix
            default: .ipv4
            }
        }
    }

    /// A Unix socket's path; empty for a client that never bound one (an unnamed socket); nil for IP.
    public var unixPath: String? {
        guard family == .unix else { return nil }
        let path = storage.dropFirst(MemoryLayout<sa_family_t>.size).prefix { $0 != 0 }
        return String(decoding: path, as: UTF8.self)
    }

    /// The numeric host, such as `127.0.0.1` or `::1` (via getnameinfo(3)); a Unix socket's path.
    public var host: String { unixPath ?? Syscalls.numericName(of: self).host }

    /// The port number; 0 for a Unix socket, which has none.
    public var port: Int { family == .unix ? 0 : Syscalls.numericName(of: self).port }

    /// `127.0.0.1:21567`, `[::1]:21567`, or a Unix socket's path.
    public var description: String {
        if let path = unixPath { return path.isEmpty ? "a local client (unnamed Unix socket)" : path }
        return Self.format(host: host, port: port)
    }

    /// Writes a host and port the way a URL does, with IPv6 hosts in brackets.
    public static func format(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Calls `body` with the address as a C `sockaddr` pointer and its length.
    func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> T) rethrows -> T {
        try storage.withUnsafeBytes { raw in
            try body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
    }
}
