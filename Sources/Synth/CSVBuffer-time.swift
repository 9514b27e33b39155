import Columnar

/// How a timestamp is spelled in a row. SCHEMA.md allows all four; exports mix them, so
/// the generator does too, to exercise the readers.
enum TimeStyle: UInt8, Sendable {
    /// `2026-11-01T08:15:00Z`
    case isoUTC
    /// `2026-11-01T16:15:00+08:00` (China Standard Time, the platforms' local time)
    case isoOffset
    /// `2026-11-01 08:15:00`, read as UTC
    case spaced
    /// `1793520900`
    case unixSeconds

    /// Mostly ISO `Z`, sometimes one of the others (a row keeps one style).
    static func draw(_ random: inout Xoshiro256, mixed: Bool) -> TimeStyle {
        guard mixed else { return .isoUTC }
        let u = random.below(100)
        return u < 86 ? .isoUTC : u < 93 ? .isoOffset : u < 97 ? .spaced : .unixSeconds
    }
}

extension CSVBuffer {
    /// Unix seconds `seconds` in `style`.
    mutating func timestamp(_ seconds: Int64, style: TimeStyle) {
        switch style {
        case .unixSeconds:
            decimal(seconds)
        case .isoUTC:
            civil(seconds, separator: UInt8(ascii: "T"))
            byte(UInt8(ascii: "Z"))
        case .spaced:
            civil(seconds, separator: UInt8(ascii: " "))
        case .isoOffset:
            civil(seconds + 8 * 3600, separator: UInt8(ascii: "T"))
            text("+08:00")
        }
    }

    /// `YYYY-MM-DD?HH:MM:SS` of `seconds`.
    private mutating func civil(_ seconds: Int64, separator: UInt8) {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = seconds - days * 86400
        let (year, month, day) = UnixTime.civilFromDays(days)
        let hour = secondOfDay / 3600, minute = secondOfDay / 60 % 60, second = secondOfDay % 60
        field(limit: 19) { out in
            func pair(_ value: Int64, _ at: Int) {
                out[at] = UInt8(truncatingIfNeeded: value / 10) &+ 48
                out[at + 1] = UInt8(truncatingIfNeeded: value % 10) &+ 48
            }
            pair(year / 100, 0)
            pair(year % 100, 2)
            out[4] = UInt8(ascii: "-")
            pair(month, 5)
            out[7] = UInt8(ascii: "-")
            pair(day, 8)
            out[10] = separator
            pair(hour, 11)
            out[13] = UInt8(ascii: ":")
            pair(minute, 14)
            out[16] = UInt8(ascii: ":")
            pair(second, 17)
            return 19
        }
    }
}
