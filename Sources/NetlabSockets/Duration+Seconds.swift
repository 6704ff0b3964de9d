extension Duration {
    /// The duration in seconds, as a Double (for messages, reports and rates).
    package var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }

    /// The duration as a poll or epoll_wait timeout: whole milliseconds, rounded up so a wait never ends
    /// before its deadline.
    package var pollMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
    }
}
