/// A strict reader of the Prometheus text exposition format (version 0.0.4), enough to check that
/// `/metrics` parses and to find samples.
enum PrometheusText {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct ParseError: Error, CustomStringConvertible {
        var line: String
        var description: String { "not Prometheus text: \(line)" }
    }

    static func parse(_ text: String) throws -> [Sample] {
        var samples: [Sample] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3)
                guard parts.count >= 3, ["HELP", "TYPE"].contains(parts[1]) else { throw ParseError(line: String(line)) }
                if parts[1] == "TYPE" {
                    guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                        throw ParseError(line: String(line))
                    }
                }
                continue
            }
            samples.append(try sample(String(line)))
        }
        return samples
    }

    private static func sample(_ line: String) throws -> Sample {
        let nameEnd = line.firstIndex { $0 == "{" || $0 == " " } ?? line.endIndex
        let name = String(line[..<nameEnd])
        guard let first = name.first, first.isLetter || first == "_" || first == ":",
              name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }) else { throw ParseError(line: line) }
        var labels: [String: String] = [:]
        var rest = line[nameEnd...]
        if rest.hasPrefix("{") {
            guard let close = rest.firstIndex(of: "}") else { throw ParseError(line: line) }
            let body = rest[rest.index(after: rest.startIndex)..<close]
            for pair in body.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[1].hasPrefix("\""), parts[1].hasSuffix("\""), parts[1].count >= 2 else {
                    throw ParseError(line: line)
                }
                labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
            }
            rest = rest[rest.index(after: close)...]
        }
        let fields = rest.split(separator: " ")
        guard (1...2).contains(fields.count), let value = Double(fields[0]) ?? (fields[0] == "+Inf" ? .infinity : nil) else {
            throw ParseError(line: line)
        }
        return Sample(name: name, labels: labels, value: value)
    }
}
