import Foundation
import NetlabSockets
import NetlabTopics
import Testing

@Suite("Daytime (RFC 867)", .machineShare, .tags(.integration))
struct DaytimeTests {
    @Test("the server answers over UDP and TCP on the same port with the time and CRLF")
    func bothTransports() async throws {
        let server = try DaytimeServer(host: "127.0.0.1", port: 0, console: .capture())
        let addresses = try server.localAddresses
        #expect(addresses.map(\.transport) == ["udp", "tcp"])
        #expect(addresses[0].address.port == addresses[1].address.port)
        let port = addresses[0].address.port
        let task = Task { try await server.run() }
        defer {
            task.cancel()
            server.close()
        }
        let pattern = try Regex(#"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3} [ 123]\d \d\d:\d\d:\d\d \d{4}"#)
        for transport in [SocketError.Transport.udp, .tcp] {
            let text = try await withTimeout {
                try await DaytimeClient(host: "127.0.0.1", port: port, transport: transport, timeout: .seconds(2))
                    .query()
            }
            #expect(text.wholeMatch(of: pattern) != nil, "\(transport): \(text)")
        }
        // The raw TCP answer ends in CRLF and the server then closes.
        let socket = try await Socket.connected(host: "127.0.0.1", port: port)
        defer { socket.close() }
        var raw: [UInt8] = []
        while true {
            let chunk = try await socket.receive(timeout: .seconds(2))
            if chunk.isEmpty { break }
            raw += chunk
        }
        #expect(raw.suffix(2) == [13, 10])
    }

    @Test("the services database gives daytime port 13")
    func servicePort() {
        if Socket.servicePort("daytime", transport: .udp) == nil {
            print("skipping: this machine's /etc/services has no daytime entry")
            return
        }
        #expect(Socket.servicePort("daytime", transport: .udp) == 13)
        #expect(Socket.servicePort("daytime", transport: .tcp) == 13)
    }
}
