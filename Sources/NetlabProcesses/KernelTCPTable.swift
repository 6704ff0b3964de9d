import Foundation
import Glibc
import NetlabSockets

/// The kernel's table of TCP sockets (/proc/net/tcp and /proc/net/tcp6): what the grader reads to know
/// that the program under test has read what it was sent, without waiting a fixed time.
///
/// On loopback both ends of a connection are in the table: the program's end is the one whose local
/// port is the program's and whose remote port is the grader's.
package struct KernelTCPTable {
    package struct Entry: Equatable {
        let localPort: Int
        let remotePort: Int
        /// The TCP state, as the kernel numbers it (include/net/tcp_states.h).
        package let state: Int
        /// Bytes received but not yet read by the program (rx_queue).
        let unreadBytes: Int
        /// The socket's inode (the row's tenth field): a process holds the socket when one of its
        /// descriptors links to `socket:[INODE]` (`ProgramTree.socketInodes`).
        package var inode: UInt64 = 0

        static let closeWait = 8
        package static let listen = 0x0A
    }

    let entries: [Entry]

    /// A /proc file's whole text, nil when it cannot be read. Read to the end: the file's size says 0,
    /// and String(contentsOfFile:) stops after its first page, so a busy machine's later rows were lost.
    static func procFile(_ path: String) -> String? {
        var buffer: [UInt8] = []
        guard let count = readProcFile(path, into: &buffer) else { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    /// Reads a /proc file whole into the start of `buffer`, which it grows as needed and which may be
    /// reused for the next read; the count of bytes read, nil when the file cannot be read.
    /// Plain open(2) and read(2) into one buffer: the table is read often, and Foundation's Data and
    /// String would cost more than the kernel's work of writing it.
    package static func readProcFile(_ path: String, into buffer: inout [UInt8]) -> Int? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if buffer.count < 65_536 { buffer = [UInt8](repeating: 0, count: 65_536) }
        var used = 0
        while true {
            if used == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + used, $0.count - used) }
            if count > 0 {
                used += count
            } else if count == 0 {
                return used
            } else if errno != EINTR {
                return nil
            }
        }
    }

    /// The table now; nil where /proc/net/tcp cannot be read (not Linux, or /proc not mounted).
    static func read() -> KernelTCPTable? {
        var entries: [Entry] = []
        var readAny = false
        var buffer: [UInt8] = []
        for path in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let count = readProcFile(path, into: &buffer) else { continue }
            readAny = true
            entries += self.entries(in: buffer[..<count])
        }
        return readAny ? KernelTCPTable(entries: entries) : nil
    }

    /// The rows of a /proc/net table's text (header included) whose local port is `localPort`, or every
    /// row when it is nil. Only a row's local address is read until it is known to be wanted.
    package static func entries(in bytes: ArraySlice<UInt8>, localPort: Int? = nil) -> [Entry] {
        var result: [Entry] = []
        bytes.withUnsafeBufferPointer { all in
            var start = 0
            var isHeader = true
            while start < all.count {
                var end = start
                while end < all.count, all[end] != UInt8(ascii: "\n") { end += 1 }
                if !isHeader, let entry = parse(UnsafeBufferPointer(rebasing: all[start..<end]), localPort: localPort) {
                    result.append(entry)
                }
                isHeader = false
                start = end + 1
            }
        }
        return result
    }

    /// One line: `sl local_address rem_address st tx_queue:rx_queue tr:when retrnsmt uid timeout inode ...`,
    /// addresses as `HEXIP:HEXPORT`.
    static func parse(_ line: Substring) -> Entry? {
        let bytes = Array(line.utf8)
        return bytes.withUnsafeBufferPointer { parse($0, localPort: nil) }
    }

    /// A row from its bytes; nil when it is not a row, or its local port is not `localPort`.
    private static func parse(_ row: UnsafeBufferPointer<UInt8>, localPort wanted: Int?) -> Entry? {
        var fields = FieldCursor(row)
        guard fields.next() != nil, let local = fields.next(), let localPort = port(local, in: row),
            wanted == nil || wanted == localPort
        else { return nil }
        guard let remote = fields.next(), let remotePort = port(remote, in: row), let stateField = fields.next(),
            let state = number(row, stateField, radix: 16), let queues = fields.next(),
            let colon = queues.firstIndex(where: { row[$0] == UInt8(ascii: ":") }),
            let unread = number(row, (colon + 1)..<queues.upperBound, radix: 16)
        else { return nil }
        // tr:when, retrnsmt, uid and timeout come before the inode.
        for _ in 0..<4 { guard fields.next() != nil else { return nil } }
        guard let inodeField = fields.next(), let inode = number(row, inodeField, radix: 10) else { return nil }
        return Entry(
            localPort: localPort, remotePort: remotePort, state: state, unreadBytes: unread, inode: UInt64(inode))
    }

    /// The port of an `HEXIP:HEXPORT` field.
    private static func port(_ field: Range<Int>, in row: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let colon = field.last(where: { row[$0] == UInt8(ascii: ":") }) else { return nil }
        return number(row, (colon + 1)..<field.upperBound, radix: 16)
    }

    /// The number written in `row[range]` in base 10 or 16; nil when empty, too long or not a number.
    private static func number(_ row: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, radix: Int) -> Int? {
        guard !range.isEmpty, range.count <= 16 else { return nil }
        var value = 0
        for index in range {
            let byte = row[index]
            let digit: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: digit = Int(byte - UInt8(ascii: "A")) + 10
            case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: digit = Int(byte - UInt8(ascii: "a")) + 10
            default: return nil
            }
            value = value * radix + digit
        }
        return value
    }

    /// The space-separated fields of a row, one after another, as index ranges.
    private struct FieldCursor {
        let row: UnsafeBufferPointer<UInt8>
        var index = 0

        init(_ row: UnsafeBufferPointer<UInt8>) { self.row = row }

        mutating func next() -> Range<Int>? {
            while index < row.count, row[index] == UInt8(ascii: " ") { index += 1 }
            guard index < row.count else { return nil }
            let start = index
            while index < row.count, row[index] != UInt8(ascii: " ") { index += 1 }
            return start..<index
        }
    }

    /// Whether the program listening on `serverPort` has settled now (see `hasSettled`), asked of the
    /// kernel's socket diagnostics one connection at a time: a busy machine's /proc/net/tcp (20,000
    /// connections in TIME_WAIT) took 80 ms to read, and `settle` asks every few milliseconds. The table
    /// answers where the diagnostics cannot; nil when neither can.
    package static func hasSettledNow(serverPort: Int, openClientPorts: [Int], closedClientPorts: [Int]) -> Bool? {
        for (ports, isOpen) in [(openClientPorts, true), (closedClientPorts, false)] {
            for port in ports {
                guard let end = Socket.loopbackTCPEnd(localPort: serverPort, remotePort: port) else {
                    return read()?.hasSettled(
                        serverPort: serverPort, openClientPorts: openClientPorts, closedClientPorts: closedClientPorts)
                }
                if isOpen ? (end?.unreadBytes ?? 0) != 0 : end?.state == Entry.closeWait { return false }
            }
        }
        return true
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
