import MeridianCore

/// The `Date` header line for a moment, in RFC 9110's IMF-fixdate form
/// (`Date: Sun, 06 Nov 1994 08:49:37 GMT` and CRLF), computed without Foundation.
public enum HTTPDate {
    /// The header line for `secondsSinceEpoch` (UTC).
    public static func headerLine(secondsSinceEpoch: Int) -> [UInt8] {
        let days = secondsSinceEpoch >= 0 ? secondsSinceEpoch / 86_400 : (secondsSinceEpoch - 86_399) / 86_400
        let secondOfDay = secondsSinceEpoch - days * 86_400
        let weekday = ((days % 7) + 7 + 4) % 7  // 1970-01-01 was a Thursday
        let (year, month, day) = CivilDate.date(daysSinceEpoch: days)
        var text = "Date: " + weekdays[weekday] + ", " + twoDigits(day) + " " + months[month - 1] + " \(year) "
        text += twoDigits(secondOfDay / 3600) + ":" + twoDigits(secondOfDay % 3600 / 60) + ":" + twoDigits(secondOfDay % 60)
        text += " GMT\r\n"
        return Array(text.utf8)
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}
