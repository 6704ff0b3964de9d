import Foundation

/// Latencies in logarithmic buckets 2 % wide: bounded memory however long the run,
/// and the histograms of many connections merge by adding.
struct LatencyHistogram: Sendable {
    private static let growth = 1.02
    private static let bucketCount = 1200  // 1.02^1200 µs is far beyond any run
    private var counts = [Int](repeating: 0, count: bucketCount)
    private(set) var total = 0
    private(set) var maxMicroseconds = 0.0

    mutating func record(microseconds value: Double) {
        let index = value <= 1 ? 0 : min(Self.bucketCount - 1, Int((log(value) / log(Self.growth)).rounded(.up)))
        counts[index] += 1
        total += 1
        maxMicroseconds = max(maxMicroseconds, value)
    }

    mutating func merge(_ other: LatencyHistogram) {
        for index in counts.indices { counts[index] += other.counts[index] }
        total += other.total
        maxMicroseconds = max(maxMicroseconds, other.maxMicroseconds)
    }

    /// The latency under which `fraction` of the samples fall, in microseconds (2 % resolution).
    func percentile(_ fraction: Double) -> Double {
        guard total > 0 else { return 0 }
        let rank = max(1, Int((Double(total) * fraction).rounded(.up)))
        var seen = 0
        for (index, count) in counts.enumerated() {
            seen += count
            if seen >= rank { return min(pow(Self.growth, Double(index)), maxMicroseconds) }
        }
        return maxMicroseconds
    }
}
