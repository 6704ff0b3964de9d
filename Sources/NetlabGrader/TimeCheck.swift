import Foundation
import Glibc

/// Recognises a reply that tells the time, and checks the time is close to now.
enum TimeCheck {
    /// How far from now a reply's time may be, in seconds: the program's clock is the machine's.
    static let tolerance: TimeInterval = 5

    private static var ctimePattern: Regex<Substring> {
        /(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-3]?\d \d\d:\d\d:\d\d \d{4}/
    }

    /// Whether `text` is exactly a ctime (`Thu Sep  1 15:35:45 2016`, local time) within the tolerance of `now`.
    static func isNearCTime(_ text: String, now: Date) -> Bool {
        guard text.wholeMatch(of: ctimePattern) != nil else { return false }
        return isNear(squeezed(text), formats: ["EEE MMM d HH:mm:ss yyyy"], now: now)
    }

    /// The forms a daytime reply may take. RFC 867 fixes none, so these are the ones students' languages
    /// write: ctime (Python's time.ctime(), C's ctime), date(1), RFC 2822 and RFC 1123 (email, HTTP),
    /// ISO 8601 (datetime.isoformat(), str(datetime.now())), and the RFC's own two examples.
    private static let dateTimeFormats = [
        "EEE MMM d HH:mm:ss yyyy",
        "EEE MMM d HH:mm:ss zzz yyyy",
        "EEE, d MMM yyyy HH:mm:ss Z",
        "EEE, d MMM yyyy HH:mm:ss zzz",
        "d MMM yyyy HH:mm:ss Z",
        "yyyy-MM-dd'T'HH:mm:ssXXXXX",
        "yyyy-MM-dd'T'HH:mm:ss",
        "yyyy-MM-dd HH:mm:ssXXXXX",
        "yyyy-MM-dd HH:mm:ss",
        "EEEE, MMMM d, yyyy HH:mm:ss-zzz",
        "EEEE, MMMM d, yyyy HH:mm:ss zzz",
        "dd MMM yy HH:mm:ss zzz",
        // The same with a numeric zone, which is what the local zone's name becomes (see `isNearDateTime`).
        "EEE MMM d HH:mm:ss Z yyyy",
        "EEEE, MMMM d, yyyy HH:mm:ss Z",
        "dd MMM yy HH:mm:ss Z",
    ]

    /// Whether the whole of `text` (spaces around it aside) is a date and time within the tolerance of
    /// `now`, in any of `dateTimeFormats`; fractions of a second are allowed. A form without a time
    /// zone is read as local time, as the program under test shares the grader's clock and zone.
    static func isNearDateTime(_ text: String, now: Date) -> Bool {
        let wholeSeconds = squeezed(text).replacing(/(:\d\d)[.,]\d+/) { $0.output.1 }
        return isNear(withNumericLocalZone(wholeSeconds), formats: dateTimeFormats, now: now)
    }

    /// The text with the local zone's name (`CST` in China, `CET` in Berlin), as date(1) and ctime-like
    /// forms write it, made a numeric offset: a name means different zones in different countries, and
    /// the parser knows only a few. The program under test runs in the grader's zone, so its name is this.
    private static func withNumericLocalZone(_ text: String) -> String {
        var clock = time(nil)
        var parts = tm()
        localtime_r(&clock, &parts)
        guard let zone = parts.tm_zone.map({ String(cString: $0) }), zone.allSatisfy(\.isLetter) else { return text }
        let offset = parts.tm_gmtoff / 60
        let numeric = String(format: "%@%02d%02d", offset < 0 ? "-" : "+", abs(offset) / 60, abs(offset) % 60)
        return text.split(separator: " ").map { word -> String in
            if word == zone { return numeric }
            // RFC 867's first example glues the zone to the time with a '-': `17:37:43-PST`.
            if word.hasSuffix("-" + zone), word.dropLast(zone.count + 1).last?.isNumber == true {
                return word.dropLast(zone.count + 1) + " " + numeric
            }
            return String(word)
        }.joined(separator: " ")
    }

    private static func isNear(_ text: String, formats: [String], now: Date) -> Bool {
        let formatter = englishFormatter()
        formatter.isLenient = false
        return formats.contains { format in
            formatter.dateFormat = format
            guard let date = formatter.date(from: text), abs(date.timeIntervalSince(now)) <= tolerance else {
                return false
            }
            return !format.hasPrefix("EEE") || namesItsWeekday(text, date: date)
        }
    }

    /// Whether the day name a time starts with is its day: the parser itself does not check it. The day
    /// is the one in the zone the text names (`-0500`: New York's Saturday evening is already Sunday in
    /// UTC), or, with no zone written, in local time or UTC (the program runs in the grader's zone).
    private static func namesItsWeekday(_ text: String, date: Date) -> Bool {
        let written = text.prefix { $0.isLetter }.lowercased()
        let formatter = englishFormatter(written.count > 3 ? "EEEE" : "EEE")
        var zones: [TimeZone] = []
        if let offset = text.firstMatch(of: /(?:^|\s)([+-])(\d\d):?(\d\d)(?:\s|$)/),
            let hours = Int(offset.output.2), let minutes = Int(offset.output.3),
            let zone = TimeZone(secondsFromGMT: (hours * 3600 + minutes * 60) * (offset.output.1 == "-" ? -1 : 1))
        {
            zones.append(zone)
        }
        for word in text.split(separator: " ") where (3...4).contains(word.count) && word.allSatisfy(\.isUppercase) {
            if let zone = TimeZone(abbreviation: String(word)) { zones.append(zone) }
        }
        if zones.isEmpty { zones = [TimeZone.current, TimeZone(identifier: "UTC")!] }
        return zones.contains { zone in
            formatter.timeZone = zone
            return formatter.string(from: date).lowercased() == written
        }
    }

    /// A formatter for English day and month names whatever the machine's language, in local time.
    static func englishFormatter(_ format: String = "") -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = format
        return formatter
    }

    /// The text with spaces around it removed and runs of spaces made one: ctime pads the day with one.
    private static func squeezed(_ text: String) -> String {
        text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
