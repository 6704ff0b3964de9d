import Foundation

/// Tells whether some program listens on a port, from the kernel's tables in /proc/net,
/// without connecting (a probe connection would count as a client to the program under test).
enum ListeningProbe {
    static func isListening(port: Int, transport: Exercise.Transport) -> Bool {
        let files = transport == .tcp ? ["/proc/net/tcp", "/proc/net/tcp6"] : ["/proc/net/udp", "/proc/net/udp6"]
        let hexPort = String(format: "%04X", port)
        for file in files {
            guard let table = KernelTCPTable.procFile(file) else { continue }
            for row in table.split(separator: "\n").dropFirst() {
                let fields = row.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 3, fields[1].hasSuffix(":" + hexPort) else { continue }
                // TCP: state 0A is LISTEN. UDP: any bound socket (07, unconnected) receives datagrams.
                if transport == .udp || fields[3] == "0A" { return true }
            }
        }
        return false
    }
}
