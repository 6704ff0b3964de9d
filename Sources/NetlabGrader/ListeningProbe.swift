import Foundation
import NetlabProcesses
import NetlabSockets

/// Finds the sockets that listen on a port, without connecting (a probe connection would count as a
/// client to the program under test).
///
/// The grader asks every few milliseconds while a program starts, so it asks the kernel's socket
/// diagnostics (`Socket.listeningInodes`), which list only listeners. /proc/net/tcp, the fallback, prints
/// every connection of the machine: on a busy one (20,000 sockets in TIME_WAIT) a read cost 80 ms.
struct ListeningProbe {
    let port: Int
    let transport: Exercise.Transport
    private var buffer: [UInt8] = []

    init(port: Int, transport: Exercise.Transport) {
        self.port = port
        self.transport = transport
    }

    private var files: [String] {
        transport == .tcp ? ["/proc/net/tcp", "/proc/net/tcp6"] : ["/proc/net/udp", "/proc/net/udp6"]
    }

    /// The inodes of the sockets listening on the port now, IPv4 and IPv6. TCP: sockets in state LISTEN.
    /// UDP: any socket bound to the port, since an unconnected one receives datagrams.
    mutating func listeningInodes() -> Set<UInt64> {
        if let inodes = Socket.listeningInodes(port: port, kind: transport == .tcp ? .tcp : .udp) { return inodes }
        return listeningInodesFromProc()
    }

    /// `listeningInodes` from the tables in /proc/net.
    mutating func listeningInodesFromProc() -> Set<UInt64> {
        var inodes: Set<UInt64> = []
        for row in rows() where transport == .udp || row.state == KernelTCPTable.Entry.listen {
            inodes.insert(row.inode)
        }
        return inodes
    }

    /// Every row whose local port is the port, in any state (TIME_WAIT included).
    mutating func rows() -> [KernelTCPTable.Entry] {
        var rows: [KernelTCPTable.Entry] = []
        for file in files {
            guard let count = KernelTCPTable.readProcFile(file, into: &buffer) else { continue }
            rows += KernelTCPTable.entries(in: buffer[..<count], localPort: port)
        }
        return rows
    }
}
