/// Where the socket core writes a server's log lines: netlab's console, or a test's capture.
///
/// The core knows nothing of terminals or command lines; whoever runs a server hands it a sink.
public protocol LogSink: Sendable {
    /// Writes one line of a server's log (standard error, for netlab's console).
    func log(_ line: String)
}
