import Glibc

/// An IPv4 or IPv6 address and port: a `struct sockaddr_in` or `sockaddr_in6`.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address family, as the C library names it.
    public enum Family: Sendable {
        case ipv4, ipv6

        var rawValue: Int32 { self == .ipv4 ? AF_INET : AF_INET6 }
    }

    /// The raw bytes of the `sockaddr` structure, as the kernel wants it.
    let storage: [UInt8]

    /// Wraps `length` bytes of a sockaddr the kernel filled in.
    init(bytes: UnsafeRawPointer, length: Int) {
        storage = Array(UnsafeRawBufferPointer(start: bytes, count: length))
    }

    /// The address family of this address.
    public var family: Family {
        storage.withUnsafeBytes { raw in
            raw.load(fromByteOffset: 0, as: sa_family_t.self) == sa_family_t(AF_INET6) ? .ipv6 : .ipv4
        }
    }

    /// The numeric host, such as `127.0.0.1` or `::1` (via getnameinfo(3)).
    public var host: String { Syscalls.numericName(of: self).host }

    /// The port number.
    public var port: Int { Syscalls.numericName(of: self).port }

    /// `127.0.0.1:21567` or `[::1]:21567`.
    public var description: String { Self.format(host: host, port: port) }

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
