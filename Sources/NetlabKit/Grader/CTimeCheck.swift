import Foundation

/// Recognises a ctime-form time (`Thu Sep  1 15:35:45 2016`) and checks it is close to now.
enum CTimeCheck {
    /// How far from now a reply's time may be, in seconds: the program's clock is the machine's.
    static let tolerance: TimeInterval = 5

    private static var pattern: Regex<Substring> {
        /(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-3]?\d \d\d:\d\d:\d\d \d{4}/
    }

    /// Whether `text` is exactly a ctime within the tolerance of `now` (local time, as ctime writes it).
    static func isNear(_ text: String, now: Date) -> Bool {
        guard text.wholeMatch(of: pattern) != nil, let date = parse(text) else { return false }
        return abs(date.timeIntervalSince(now)) <= tolerance
    }

    /// Whether `text` contains a ctime within the tolerance of `now`.
    static func containsNearTime(_ text: String, now: Date) -> Bool {
        text.matches(of: pattern).contains { match in
            parse(String(match.output)).map { abs($0.timeIntervalSince(now)) <= tolerance } ?? false
        }
    }

    private static func parse(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "EEE MMM d HH:mm:ss yyyy"
        let squeezed = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        return formatter.date(from: squeezed)
    }
}
