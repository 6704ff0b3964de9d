import Glibc

/// The time as C's ctime(3) and Python's `time.ctime()` write it: `Thu Sep  1 15:35:45 2016`, local time.
public enum CTime {
    /// The current local time in ctime form, without ctime's trailing newline.
    public static func now() -> String {
        string(for: time(nil))
    }

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
