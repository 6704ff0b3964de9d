extension Duration {
    /// The duration in seconds, as a Double (for poll's milliseconds, messages and reports).
    package var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
