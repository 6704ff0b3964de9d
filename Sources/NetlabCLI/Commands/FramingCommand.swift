import NetlabTopics

/// `netlab framing demo`: the sticky-packets demo of seed 004 (the demo itself: FramingDemo).
enum FramingCommand {
    static let command = Command(
        "framing", summary: "Sticky packets and the length-prefixed frames that fix them (seed 004).",
        examples: ["netlab framing demo"],
        subcommands: [demo])

    static let demo = Command(
        "demo", summary: "Show messages glued together and split apart by TCP, then read correctly with frames.",
        examples: ["netlab framing demo"],
        action: { invocation in
            try await FramingDemo.run(console: invocation.console)
            return 0
        })
}
