import NetlabTopics

/// `netlab demo`: servers and clients on loopback, every message shown (the demo itself: LoopbackDemo).
enum DemoCommand {
    static let command = Command(
        "demo", summary: "Start a server and a client on loopback and show their conversation.",
        discussion: "Runs the TCP timestamp server, the TCP hello server and the UDP timestamp server on free ports.",
        examples: ["netlab demo"],
        action: { invocation in
            try await LoopbackDemo.run(console: invocation.console)
            return 0
        })
}
