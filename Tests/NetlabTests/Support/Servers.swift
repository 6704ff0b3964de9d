import NetlabSockets
import NetlabTopics

/// A netlab server running inside the test process on a free loopback port.
struct RunningServer: Sendable {
    let port: Int
    let console: Console
    private let task: Task<Void, any Error>
    private let closer: @Sendable () -> Void

    /// Starts `netlab tcp server --reply MODE --port 0` in process.
    static func tcp(_ reply: ReplyMode, host: String = "127.0.0.1") throws -> RunningServer {
        let console = Console.capture()
        let server = try TCPServer(host: host, port: 0, reply: reply, console: console)
        let port = try server.localAddress.port
        return RunningServer(port: port, console: console, task: Task { try await server.run() }, closer: server.close)
    }

    /// Starts `netlab udp server --reply MODE --port 0` in process.
    static func udp(_ reply: ReplyMode, host: String = "127.0.0.1") throws -> RunningServer {
        let console = Console.capture()
        let server = try UDPServer(host: host, port: 0, reply: reply, console: console)
        let port = try server.localAddress.port
        return RunningServer(port: port, console: console, task: Task { try await server.run() }, closer: server.close)
    }

    /// Stops the server and every connection it still serves.
    func stop() {
        task.cancel()
        closer()
    }
}

/// A test's TCP client: send lines, read replies as lines.
struct LineClient {
    let socket: Socket
    var reader: LineReader

    static func connect(port: Int, host: String = "127.0.0.1") async throws -> LineClient {
        let socket = try await Socket.connected(host: host, port: port, kind: .tcp, timeout: .seconds(5))
        // No pause rule: a test's reply is whole only at its line end, however slowly it arrives.
        return LineClient(socket: socket, reader: LineReader(socket, maxLineBytes: 4 << 20, pause: nil))
    }

    func send(_ text: String) async throws { try await socket.send(text) }

    /// The next reply as text without its line end; nil when the server closed.
    /// The next line, or nil when the server closed; no test waits more than 10 s for one.
    mutating func readLine() async throws -> String? {
        do {
            return try await reader.next(before: .now + .seconds(10))?.string
        } catch is WaitTimeout {
            throw TestTimeout(seconds: 10)
        }
    }

    func close() { socket.close() }
}

/// `[Thu Sep  1 15:35:45 2016] ` — the ctime prefix of a timestamp reply, as a pattern.
let timestampPrefix =
    #"\[(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 123]\d \d\d:\d\d:\d\d \d{4}\] "#
