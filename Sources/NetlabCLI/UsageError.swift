/// A mistake in how a command was typed: exit status 64, one line on stderr.
public struct UsageError: Error, CustomStringConvertible {
    /// The command it happened in, such as `netlab tcp server`.
    public let command: String
    /// What is wrong and how to fix it, in one sentence.
    public let message: String

    public init(command: String, _ message: String) {
        self.command = command
        self.message = message
    }

    public var description: String { "\(command): \(message)" }
}
