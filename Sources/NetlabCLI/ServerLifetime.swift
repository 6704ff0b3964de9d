import Glibc
import NetlabProcesses
import NetlabSockets
import NetlabTopics

/// A TCP server command's life after it has announced where it listens: serve until told to stop.
///
/// Ctrl-C or SIGTERM stops the server gracefully: it accepts no new client, and the clients connected
/// get `gracePeriod` to finish before their conversations are cancelled; a second Ctrl-C stops it at once.
enum ServerLifetime {
    static let gracePeriod: Duration = .seconds(5)

    static func serve(_ server: some StreamServer, console: Console) async throws -> Int32 {
        let serving = Task { try await server.run() }
        StopRequests.deliver { signal in
            let name = signal == SIGINT ? "Ctrl-C" : "SIGTERM"
            console.log(
                "stopping (\(name)): no new clients; those connected have "
                    + "\(SocketError.format(seconds: gracePeriod.seconds)) to finish — Ctrl-C again stops at once")
            Task { await server.stop(serving, gracePeriod: gracePeriod) }
        }
        do {
            try await serving.value
        } catch is CancellationError {
            // The grace period ended the clients' conversations: a stop all the same.
        }
        console.log("stopped")
        return 0
    }
}
