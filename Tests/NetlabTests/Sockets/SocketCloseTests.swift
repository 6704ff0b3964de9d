import Foundation
import Glibc
import Testing

@testable import NetlabSockets

@Suite("Closing a socket that another task is using", .machineShare, .tags(.integration))
struct SocketCloseTests {
    /// What /proc/self/fd says descriptor `number` is: `socket:[INODE]`, or nil when it is closed.
    private func descriptor(_ number: Int32) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(number)")
    }

    @Test("close() while an operation holds the descriptor leaves it open until that operation lets go")
    func closeWaitsForTheOperation() throws {
        let socket = try Socket(.udp, family: .ipv4)
        let number = socket.descriptorNumber
        let identity = try #require(descriptor(number))
        #expect(identity.hasPrefix("socket:"))
        #expect(socket.hold())
        socket.close()
        // Closed to its users at once...
        #expect(!socket.hold())
        #expect(throws: SocketError.self) { _ = try socket.localAddress }
        // ...but the number is still this socket's: no new socket or pipe can be given it meanwhile.
        #expect(descriptor(number) == identity)
        socket.release()
        #expect(descriptor(number) != identity, "the last to let go closes it")
    }

    @Test("a receive cut short by close() never reads the datagrams of the socket that gets its number next")
    func noDatagramStolen() async throws {
        // Each round: a task waits for a datagram on one socket, the socket is closed under it, and a new
        // socket (which the kernel may give the same number) must get every datagram sent to it.
        for round in 0..<200 {
            let old = try Socket.boundUDP(host: "127.0.0.1", port: 0)
            let waiting = Task { try? await old.receiveDatagram(timeout: .seconds(5)) }
            await Task.yield()
            old.close()
            let fresh = try Socket.boundUDP(host: "127.0.0.1", port: 0)
            defer { fresh.close() }
            let sender = try Socket.boundUDP(host: "127.0.0.1", port: 0)
            defer { sender.close() }
            try await sender.send(Array("round \(round)".utf8), to: try fresh.localAddress)
            let got = try await fresh.receiveDatagram(timeout: .seconds(5))
            #expect(got.bytes == Array("round \(round)".utf8))
            #expect(await waiting.value == nil, "the closed socket's receive ended without a datagram")
        }
    }
}
