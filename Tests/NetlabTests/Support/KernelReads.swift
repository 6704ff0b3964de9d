@testable import NetlabProcesses

/// Waits until the server on `serverPort` has read every byte its client on `clientPort` sent, as the
/// kernel's TCP table shows: a test's pause then counts from when the server took the bytes, not from
/// the send, so a busy machine that runs the server late cannot join two sends into one message.
func waitUntilServerHasRead(serverPort: Int, clientPort: Int, within seconds: Double = 5) async throws {
    try await waitUntil(within: seconds) {
        let entry = KernelTCPTable.read()?.serverEnd(serverPort: serverPort, clientPort: clientPort)
        return entry != nil && entry?.unreadBytes == 0
    }
}
