import Glibc
import Synchronization

/// The time as C's ctime(3) and Python's `time.ctime()` write it: `Thu Sep  1 15:35:45 2016`, local time.
public enum CTime {
    /// The current local time in ctime form, without ctime's trailing newline.
    ///
    /// A busy server answers thousands of requests a second, so the text is made once per second.
    public static func now() -> String {
        let seconds = time(nil)
        if let cached = cache.withLock({ $0.seconds == seconds ? $0.text : nil }) { return cached }
        let text = string(for: seconds)
        cache.withLock { $0 = (seconds, text) }
        return text
    }

    private static let cache = Mutex<(seconds: time_t, text: String)>((-1, ""))

    /// A moment in ctime form.
    public static func string(for seconds: time_t) -> String {
        var moment = seconds
        var parts = tm()
        localtime_r(&moment, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%a %b %e %H:%M:%S %Y", &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
