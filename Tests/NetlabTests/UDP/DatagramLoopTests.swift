import Foundation
import Glibc
import NetlabSockets
import NetlabTopics
import Testing

@Suite("UDP reply loops", .machineShare, .tags(.integration))
struct DatagramLoopTests {
    private func address(_ port: Int, host: String = "127.0.0.1") throws -> SocketAddress {
        try Socket.resolve(host: host, port: port, kind: .udp, passive: false)[0]
    }

    @Test("a datagram from the server's own port is never answered, from any host")
    func ownPort() throws {
        var replyGuard = DatagramReplyGuard(local: try address(40000))
        #expect(replyGuard.refusal(for: try address(40000)) == .ownPort)
        #expect(replyGuard.refusal(for: try address(40000, host: "127.0.0.2")) == .ownPort)
        #expect(replyGuard.refusal(for: try address(40000, host: "::1")) == .ownPort)
        #expect(replyGuard.refusal(for: try address(40001)) == nil)
    }

    @Test("senders on the responding services' ports and below 1024 are not answered unless told")
    func reservedPorts() throws {
        var strict = DatagramReplyGuard(local: try address(40000))
        var lenient = DatagramReplyGuard(local: try address(40000), answersLowPorts: true)
        for port in [7, 13, 19, 37] {
            #expect(strict.refusal(for: try address(port)) == .reservedPort)
            #expect(lenient.refusal(for: try address(port)) == .reservedPort)
        }
        #expect(strict.refusal(for: try address(0)) == .reservedPort)
        #expect(strict.refusal(for: try address(123)) == .reservedPort)
        #expect(lenient.refusal(for: try address(123)) == nil)
        #expect(strict.refusal(for: try address(1024)) == nil)
    }

    @Test("one sender is answered at most the rate a second; others are not held back")
    func rateLimit() throws {
        var replyGuard = DatagramReplyGuard(local: try address(40000), repliesPerSecond: 10)
        let start = ContinuousClock.now
        let sender = try address(50000)
        let answered = (0..<25).filter { _ in replyGuard.refusal(for: sender, at: start) == nil }.count
        #expect(answered == 10)
        #expect(replyGuard.refusal(for: sender, at: start) == .rateLimited)
        #expect(replyGuard.refusal(for: try address(50001), at: start) == nil)
        // Half a second later, half the rate has come back.
        let later = start + .milliseconds(500)
        let answeredLater = (0..<25).filter { _ in replyGuard.refusal(for: sender, at: later) == nil }.count
        #expect(answeredLater == 5)
    }

    @Test("a flood of refused datagrams logs one line a second, with the count")
    func logLines() throws {
        var replyGuard = DatagramReplyGuard(local: try address(40000))
        let sender = try address(40000)
        let start = ContinuousClock.now
        #expect(replyGuard.logLine(for: .ownPort, from: sender, at: start)?.contains("own") == true)
        for step in 1...99 {
            #expect(replyGuard.logLine(for: .ownPort, from: sender, at: start + .milliseconds(step * 5)) == nil)
        }
        let summary = replyGuard.logLine(for: .ownPort, from: sender, at: start + .seconds(1))
        #expect(summary?.contains("100 datagrams") == true, "got \(summary ?? "nil")")
    }

    @Test("a daytime server does not answer another daytime server's answer")
    func daytimeAnswer() async throws {
        let console = Console.capture()
        let server = try DaytimeServer(host: "127.0.0.1", port: 0, tcp: false, console: console)
        let task = Task { try await server.run() }
        defer {
            task.cancel()
            server.close()
        }
        let port = try server.localAddresses[0].address.port
        let socket = try Socket(.udp, family: .ipv4)
        defer { socket.close() }
        try await socket.send(DaytimeServer.reply(), to: try address(port))
        try await waitUntil { console.capturedErr.contains("another server's answer") }
        // An ordinary question is still answered.
        try await socket.send(Array("what time is it?".utf8), to: try address(port))
        let (answer, _) = try await socket.receiveDatagram(timeout: .seconds(5))
        #expect(String(decoding: answer, as: UTF8.self).hasSuffix("\r\n"))
    }

    // The end-to-end loops need a forged source address, which only root can send (a raw socket).

    @Test(
        "a forged datagram from the UDP server's own address does not make it answer itself",
        .enabled(if: RawUDP.isAvailable), arguments: [ReplyMode.echo, .upper, .timestamp])
    func forgedSelfSource(mode: ReplyMode) async throws {
        let server = try RunningServer.udp(mode)
        defer { server.stop() }
        try RawUDP.send(Array("loop".utf8), from: server.port, to: server.port)
        try await waitUntil {
            server.console.capturedErr.contains("not answering a datagram from 127.0.0.1:\(server.port)")
        }
        #expect(!server.console.capturedErr.contains("received 4 bytes from 127.0.0.1:\(server.port)"))
        // The server still serves everyone else.
        let client = try Socket(.udp, family: .ipv4)
        defer { client.close() }
        try await client.send(Array("hi".utf8), to: try address(server.port))
        _ = try await client.receiveDatagram(timeout: .seconds(5))
    }

    @Test(
        "two daytime servers never bounce a forged datagram between them", .enabled(if: RawUDP.isAvailable))
    func daytimePair() async throws {
        let first = Console.capture()
        let second = Console.capture()
        let one = try DaytimeServer(host: "127.0.0.1", port: 0, tcp: false, console: first)
        let two = try DaytimeServer(host: "127.0.0.1", port: 0, tcp: false, console: second)
        let tasks = [Task { try await one.run() }, Task { try await two.run() }]
        defer {
            tasks.forEach { $0.cancel() }
            one.close()
            two.close()
        }
        let onePort = try one.localAddresses[0].address.port
        let twoPort = try two.localAddresses[0].address.port
        // "two" seems to ask "one" for the time: "one" answers "two", whose answer must end it.
        try RawUDP.send(Array("time?".utf8), from: twoPort, to: onePort)
        try await waitUntil { second.capturedErr.contains("another server's answer") }
        #expect(first.capturedErr.components(separatedBy: "daytime (udp)").count - 1 == 1)
        #expect(!second.capturedErr.contains("daytime (udp)"))
    }

    @Test("a forged datagram from port 13 is not answered", .enabled(if: RawUDP.isAvailable))
    func forgedDaytimeSource() async throws {
        let server = try RunningServer.udp(.echo)
        defer { server.stop() }
        try RawUDP.send(Array("x".utf8), from: 13, to: server.port)
        try await waitUntil { server.console.capturedErr.contains("not answering a datagram from 127.0.0.1:13") }
    }
}

/// Sends IPv4 UDP datagrams with any source address through a raw socket: root only.
enum RawUDP {
    /// Whether this process may open a raw socket; prints why a test is skipped when not.
    static let isAvailable: Bool = {
        let fd = socket(AF_INET, Int32(SOCK_RAW.rawValue), Int32(IPPROTO_RAW))
        if fd >= 0 {
            close(fd)
            return true
        }
        print("skipping: forging a UDP source address needs a raw socket, which needs root (CI runs as root)")
        return false
    }()

    /// Sends `payload` to 127.0.0.1:`port` as if from 127.0.0.1:`sourcePort`.
    static func send(_ payload: [UInt8], from sourcePort: Int, to port: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_RAW.rawValue), Int32(IPPROTO_RAW))
        guard fd >= 0 else { throw POSIXError(.EPERM) }
        defer { close(fd) }
        let loopback: [UInt8] = [127, 0, 0, 1]
        let udpLength = 8 + payload.count
        // IP_HDRINCL is implied by IPPROTO_RAW; the kernel fills in the total length and header checksum.
        var packet: [UInt8] = [0x45, 0, 0, 0, 0, 0, 0, 0, 64, UInt8(IPPROTO_UDP), 0, 0] + loopback + loopback
        packet += [UInt8(sourcePort >> 8), UInt8(sourcePort & 0xff), UInt8(port >> 8), UInt8(port & 0xff)]
        packet += [UInt8(udpLength >> 8), UInt8(udpLength & 0xff), 0, 0]  // checksum 0: none, allowed over IPv4
        packet += payload
        var destination = sockaddr_in()
        destination.sin_family = sa_family_t(AF_INET)
        destination.sin_addr.s_addr = inet_addr("127.0.0.1")
        let sent = withUnsafePointer(to: &destination) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, packet, packet.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard sent == packet.count else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }
}
