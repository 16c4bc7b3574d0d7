/// Writes the Prometheus text exposition format (version 0.0.4): a family's `# HELP` and `# TYPE`
/// lines, then its samples. Label values are escaped as the format asks (`\`, `"`, newline).
struct PrometheusTextWriter {
    private(set) var text = ""

    /// Starts the family `series`.
    mutating func family(_ series: MetricSeries) {
        text += "# HELP \(series.name) \(series.help)\n# TYPE \(series.name) \(series.kind.rawValue)\n"
    }

    /// One sample of `series`; `suffix` names a histogram's part (`_bucket`, `_sum`, `_count`).
    mutating func sample(_ series: MetricSeries, suffix: String = "", _ labels: KeyValuePairs<String, String> = [:],
                         _ value: some CustomStringConvertible) {
        sample(series, suffix: suffix, labels: Array(labels), value)
    }

    /// One sample of `series` with labels given as pairs in order.
    mutating func sample(_ series: MetricSeries, suffix: String = "", labels: [(key: String, value: String)],
                         _ value: some CustomStringConvertible) {
        text += series.name + suffix
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.key)=\"\(Self.escaped($0.value))\"" }.joined(separator: ",") + "}"
        }
        text += " \(value)\n"
    }

    private static func escaped(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x5C || $0 == 0x22 || $0 == 0x0A }) else { return value }
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
