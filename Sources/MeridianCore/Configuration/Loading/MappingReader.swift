import Yams

/// Reads the keys of one YAML mapping. Every key asked for becomes a known key; `finish()` reports
/// the keys nobody asked for as unknown, with a suggestion when one is close. (Yams itself rejects
/// duplicate keys while parsing.)
struct MappingReader {
    let value: YAMLValue
    private let entries: [(key: String, keyNode: Node, value: Node)]
    private var known: [String] = []

    /// `nil` (with a problem reported) when `value` is not a mapping.
    init?(_ value: YAMLValue) {
        guard case .mapping(let mapping) = value.node else {
            value.report("expected a mapping of keys to values, found \(value.kindDescription)")
            return nil
        }
        self.value = value
        var entries: [(String, Node, Node)] = []
        for (keyNode, valueNode) in mapping {
            let keyValue = value.child(keyNode, key: "")
            guard case .scalar(let scalar) = keyNode else {
                keyValue.log.report("\(value.path.isEmpty ? "keys" : value.path): a key must be plain text",
                                    at: keyValue.location)
                continue
            }
            entries.append((scalar.string, keyNode, valueNode))
        }
        self.entries = entries
    }

    /// The value of `key`, or `nil` when it is absent. An explicitly empty value is a problem.
    mutating func optional(_ key: String) -> YAMLValue? {
        known.append(key)
        guard let entry = entries.first(where: { $0.key == key }) else { return nil }
        let child = value.child(entry.value, key: key)
        if child.isNull {
            child.report("has no value")
            return nil
        }
        return child
    }

    /// The value of `key`; reports it as missing when absent.
    mutating func required(_ key: String) -> YAMLValue? {
        let found = optional(key)
        if found == nil, !entries.contains(where: { $0.key == key }) {
            let owner = value.path.isEmpty ? "the file" : value.path
            value.log.report("\(owner) is missing '\(key)'", at: value.location)
        }
        return found
    }

    /// Every entry, for mappings whose keys are names (gateways, services, networks).
    mutating func namedEntries() -> [(key: Located<String>, value: YAMLValue)] {
        entries.map { entry in
            known.append(entry.key)
            let keyValue = value.child(entry.keyNode, key: entry.key)
            return (keyValue.located(entry.key), value.child(entry.value, key: entry.key))
        }
    }

    /// Reports every key that was never asked for.
    func finish() {
        for entry in entries where !known.contains(entry.key) {
            let keyValue = value.child(entry.keyNode, key: entry.key)
            let within = value.path.isEmpty ? "" : " in \(value.path)"
            var message = "unknown key '\(entry.key)'\(within)"
            if let suggestion = closest(to: entry.key, among: known) {
                message += " (did you mean '\(suggestion)'?)"
            } else if !known.isEmpty {
                message += " (expected one of: \(known.joined(separator: ", ")))"
            }
            keyValue.log.report(message, at: keyValue.location)
        }
    }
}

/// The candidate within edit distance 2 of `word`, if any.
func closest(to word: String, among candidates: [String]) -> String? {
    candidates.map { ($0, editDistance(word, $0)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
}

/// Levenshtein distance between two short strings.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...max(b.count, 1) where !b.isEmpty {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return a.isEmpty ? b.count : previous[b.count]
}
