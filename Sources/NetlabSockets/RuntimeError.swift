/// A failure while a command ran: exit status 1, one line on stderr.
public struct RuntimeError: Error, CustomStringConvertible {
    public let description: String

    public init(_ message: String) { description = message }
}
