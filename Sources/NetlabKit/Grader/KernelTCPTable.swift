import Foundation

/// The kernel's table of TCP sockets (/proc/net/tcp and /proc/net/tcp6): what the grader reads to know
/// that the program under test has read what it was sent, without waiting a fixed time.
///
/// On loopback both ends of a connection are in the table: the program's end is the one whose local
/// port is the program's and whose remote port is the grader's.
struct KernelTCPTable {
    struct Entry: Equatable {
        let localPort: Int
        let remotePort: Int
        /// The TCP state, as the kernel numbers it (include/net/tcp_states.h).
        let state: Int
        /// Bytes received but not yet read by the program (rx_queue).
        let unreadBytes: Int

        static let closeWait = 8
    }

    let entries: [Entry]

    /// A /proc file's whole text, nil when it cannot be read. Read to the end: the file's size says 0,
    /// and String(contentsOfFile:) stops after its first page, so a busy machine's later rows were lost.
    static func procFile(_ path: String) -> String? {
        guard let file = FileHandle(forReadingAtPath: path), let data = try? file.readToEnd() else { return nil }
        try? file.close()
        return String(decoding: data, as: UTF8.self)
    }

    /// The table now; nil where /proc/net/tcp cannot be read (not Linux, or /proc not mounted).
    static func read() -> KernelTCPTable? {
        var entries: [Entry] = []
        var readAny = false
        for path in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = procFile(path) else { continue }
            readAny = true
            entries += text.split(separator: "\n").dropFirst().compactMap(parse)
        }
        return readAny ? KernelTCPTable(entries: entries) : nil
    }

    /// One line: `sl local_address rem_address st tx_queue:rx_queue ...`, addresses as `HEXIP:HEXPORT`.
    static func parse(_ line: Substring) -> Entry? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count > 4 else { return nil }
        let queues = fields[4].split(separator: ":")
        guard let localPort = port(fields[1]), let remotePort = port(fields[2]),
            let state = Int(fields[3], radix: 16), queues.count == 2, let unread = Int(queues[1], radix: 16)
        else { return nil }
        return Entry(localPort: localPort, remotePort: remotePort, state: state, unreadBytes: unread)
    }

    private static func port(_ address: Substring) -> Int? {
        guard let colon = address.lastIndex(of: ":") else { return nil }
        return Int(address[address.index(after: colon)...], radix: 16)
    }

    /// The program's end of the connection from the grader's port `clientPort` to the program's `serverPort`.
    func serverEnd(serverPort: Int, clientPort: Int) -> Entry? {
        entries.first { $0.localPort == serverPort && $0.remotePort == clientPort }
    }

    /// Whether the program has read every byte sent on the open connections, and closed its end of the
    /// connections the grader closed (none of them left in CLOSE_WAIT).
    func hasSettled(serverPort: Int, openClientPorts: [Int], closedClientPorts: [Int]) -> Bool {
        openClientPorts.allSatisfy { (serverEnd(serverPort: serverPort, clientPort: $0)?.unreadBytes ?? 0) == 0 }
            && closedClientPorts.allSatisfy {
                serverEnd(serverPort: serverPort, clientPort: $0)?.state != Entry.closeWait
            }
    }
}
