import Foundation
import Testing

@testable import NetlabProcesses
@testable import NetlabSockets

@Suite("The kernel's TCP table, for settle", .machineShare, .tags(.integration))
struct KernelTCPTableTests {
    @Test("a line of /proc/net/tcp gives its ports, state and unread bytes")
    func parsesALine() {
        let line: Substring =
            "   3: 0100007F:5295 0100007F:A3F2 01 00000000:0000000C 00:00000000 00000000     0        0 12345 1 0000000000000000 20 4 30 10 -1"
        #expect(
            KernelTCPTable.parse(line)
                == KernelTCPTable.Entry(localPort: 0x5295, remotePort: 0xA3F2, state: 1, unreadBytes: 12, inode: 12345))
        let ipv6: Substring =
            "   0: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:C350 08 00000000:00000000 00:00000000 00000000     0        0 1 1 0 20 4 30 10 -1"
        #expect(KernelTCPTable.parse(ipv6)?.state == KernelTCPTable.Entry.closeWait)
        #expect(KernelTCPTable.parse("  sl  local_address rem_address   st tx_queue rx_queue") == nil)
    }

    @Test("shows bytes the program has not read, and an end the program has not closed")
    func seesUnreadBytesAndCloseWait() async throws {
        let (client, server) = try await loopbackPair()
        defer { server.close() }
        let serverPort = try server.localAddress.port
        let clientPort = try client.localAddress.port
        func table() throws -> KernelTCPTable { try #require(KernelTCPTable.read()) }

        #expect(try table().hasSettled(serverPort: serverPort, openClientPorts: [clientPort], closedClientPorts: []))
        try await client.send("alice\n")
        try await waitUntil(within: 5) {  // the kernel counts 6 unread bytes
            try table().serverEnd(serverPort: serverPort, clientPort: clientPort)?.unreadBytes == 6
        }
        #expect(try !table().hasSettled(serverPort: serverPort, openClientPorts: [clientPort], closedClientPorts: []))
        // The kernel's socket diagnostics, asked about the one connection, say the same.
        #expect(Socket.loopbackTCPEnd(localPort: serverPort, remotePort: clientPort)??.unreadBytes == 6)
        #expect(
            KernelTCPTable.hasSettledNow(serverPort: serverPort, openClientPorts: [clientPort], closedClientPorts: [])
                == false)
        _ = try await server.receive(timeout: .seconds(5))
        #expect(
            KernelTCPTable.hasSettledNow(serverPort: serverPort, openClientPorts: [clientPort], closedClientPorts: [])
                == true)
        #expect(try table().hasSettled(serverPort: serverPort, openClientPorts: [clientPort], closedClientPorts: []))

        client.close()
        try await waitUntil(within: 5) {  // the program's end is in CLOSE_WAIT
            try table().serverEnd(serverPort: serverPort, clientPort: clientPort)?.state
                == KernelTCPTable.Entry.closeWait
        }
        #expect(try !table().hasSettled(serverPort: serverPort, openClientPorts: [], closedClientPorts: [clientPort]))
        #expect(
            Socket.loopbackTCPEnd(localPort: serverPort, remotePort: clientPort)??.state
                == KernelTCPTable.Entry.closeWait)
        #expect(
            KernelTCPTable.hasSettledNow(serverPort: serverPort, openClientPorts: [], closedClientPorts: [clientPort])
                == false)
        server.close()
        // Its FIN and the client's ACK cross loopback in the kernel's own time: on a loaded machine, a moment.
        try await waitUntil(within: 5) {
            KernelTCPTable.hasSettledNow(serverPort: serverPort, openClientPorts: [], closedClientPorts: [clientPort])
                == true
        }
        #expect(try table().hasSettled(serverPort: serverPort, openClientPorts: [], closedClientPorts: [clientPort]))
    }
}
