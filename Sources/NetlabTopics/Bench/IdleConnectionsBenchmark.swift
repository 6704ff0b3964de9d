import Foundation
import NetlabProcesses
import NetlabSockets

/// Opens many connections to a server, holds them, and checks the server still answers.
package struct IdleConnectionsBenchmark: Sendable {
    let host: String
    let port: Int
    let connections: Int
    let serverPID: Int32?

    package init(host: String, port: Int, connections: Int, serverPID: Int32?) {
        self.host = host
        self.port = port
        self.connections = connections
        self.serverPID = serverPID
    }

    package struct Result: Sendable, Encodable {
        package let requested: Int
        package let established: Int
        package let sampleAnswered: Int
        package let sampleSize: Int
        package let freshAnswered: Bool
        package let serverRSSBeforeKiB: Int?
        package let serverRSSWithConnectionsKiB: Int?

        enum CodingKeys: String, CodingKey {
            case requested, established
            case sampleAnswered = "sample_answered"
            case sampleSize = "sample_size"
            case freshAnswered = "fresh_connection_answered"
            case serverRSSBeforeKiB = "server_rss_before_kib"
            case serverRSSWithConnectionsKiB = "server_rss_with_connections_kib"
        }
    }

    package func run() async throws -> Result {
        Socket.raiseOpenFileLimit()
        let before = serverPID.flatMap(ProcessUsage.residentKiB)
        var held: [Socket] = []
        held.reserveCapacity(connections)
        for _ in 0..<connections {
            guard let socket = try? await Socket.connected(host: host, port: port, kind: .tcp, timeout: .seconds(10))
            else {
                break
            }
            held.append(socket)
        }
        try await Task.sleep(for: .milliseconds(500))  // let the server accept the last ones
        let with = serverPID.flatMap(ProcessUsage.residentKiB)
        let fresh =
            (try? await Self.ask(try await Socket.connected(host: host, port: port, kind: .tcp, timeout: .seconds(10))))
            ?? false
        let sample = stride(from: 0, to: held.count, by: max(1, held.count / 50)).map { held[$0] }
        var answered = 0
        for socket in sample where (try? await Self.ask(socket)) == true { answered += 1 }
        for socket in held { socket.close() }
        return Result(
            requested: connections, established: held.count, sampleAnswered: answered, sampleSize: sample.count,
            freshAnswered: fresh, serverRSSBeforeKiB: before, serverRSSWithConnectionsKiB: with)
    }

    /// Sends one line and waits for a reply line.
    private static func ask(_ socket: Socket) async throws -> Bool {
        try await socket.send("ping\n")
        var reply: [UInt8] = []
        while reply.last != UInt8(ascii: "\n") {
            let chunk = try await socket.receive(timeout: .seconds(5))
            if chunk.isEmpty { return false }
            reply += chunk
        }
        return true
    }
}
