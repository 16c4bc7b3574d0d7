extension Duration {
    /// Parses a human-written duration: one or more number-unit pairs such as `500ms`, `2s`, `1.5s`,
    /// `1m30s` or `1h`. Units are `us`, `ms`, `s`, `m`, `h`, `d`, `w` (7 days) and `y` (365 days). A bare number is rejected, because
    /// a reader cannot tell whether it means seconds or milliseconds.
    public static func parse(_ text: String) -> Duration? {
        let units: [(suffix: String, nanoseconds: Double)] = [
            ("us", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9), ("d", 86400e9), ("w", 7 * 86400e9),
            ("y", 365 * 86400e9),
        ]
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCIIDigit || $0 == "." }
            guard !number.isEmpty, number.first != ".", number.last != ".",
                  let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { $0.isLetter }
            guard let unit = units.first(where: { $0.suffix == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.nanoseconds
        }
        guard total < 1e18 else { return nil }
        return .nanoseconds(Int64(total.rounded()))
    }

    /// A short human form: `250us`, `85.757ms`, `750ms`, `2s`, `1.5s`, `2m`, `1m30s`, `3h`.
    public var shortDescription: String {
        let nanoseconds = self.nanoseconds
        if nanoseconds == 0 { return "0s" }
        if nanoseconds < 1_000_000 { return trimmed(Double(nanoseconds) / 1e3) + "us" }
        if nanoseconds % 1_000_000 != 0 { return trimmed(Double(nanoseconds) / 1e6) + "ms" }
        let milliseconds = nanoseconds / 1_000_000
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        if milliseconds % 1000 != 0 || milliseconds < 60_000 {
            return trimmed(Double(milliseconds) / 1000) + "s"
        }
        let seconds = milliseconds / 1000
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds / 60)m\(seconds % 60)s"
    }

    private func trimmed(_ value: Double) -> String {
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
