/// Reads an RFC 1035 master file for `meridian import-zone`: the static record sets `records:` can
/// hold, and the lines it cannot take, each with the reason. `$ORIGIN`, `$TTL`, `@`, relative
/// names, a blank owner (the previous one), parentheses across lines, comments and quoted strings
/// are understood; the SOA and the apex's NS records are left out (the directors make their own).
public struct ZoneFileImport: Sendable {
    /// The record sets read, by owner and type, in the order the file first gives them.
    public var recordSets: [StaticRecordSet] = []
    /// Lines left out that records: cannot hold: the line number and why.
    public var skipped: [(line: Int, reason: String)] = []
    /// Lines left out because the directors answer them themselves (the SOA, the apex's NS).
    public var replaced: [(line: Int, reason: String)] = []

    /// Reads `text` as the master file of `zone` (the initial `$ORIGIN`).
    public init(text: String, zone: DomainName) {
        var origin = zone
        var defaultTTL: UInt32 = StaticRecordSet.defaultTTL
        var owner: DomainName?
        var index: [String: Int] = [:]
        for (line, tokens, startsBlank) in Self.entries(text) {
            guard let first = tokens.first else { continue }
            if first.uppercased() == "$ORIGIN" {
                guard tokens.count >= 2, let name = StaticRecordData.resolve(tokens[1], in: origin) else {
                    skipped.append((line, "$ORIGIN needs a name")); continue
                }
                origin = name
                continue
            }
            if first.uppercased() == "$TTL" {
                guard tokens.count >= 2, let ttl = Self.ttl(tokens[1]) else { skipped.append((line, "$TTL needs a TTL")); continue }
                defaultTTL = ttl
                continue
            }
            if first.hasPrefix("$") { skipped.append((line, "\(first) is not supported")); continue }
            var fields = tokens[...]
            if !startsBlank {
                guard let name = StaticRecordData.resolve(fields.removeFirst(), in: origin) else {
                    skipped.append((line, "'\(tokens[0])' is not a name records: can hold (wildcards are not supported)"))
                    owner = nil
                    continue
                }
                owner = name
            }
            guard let owner else { skipped.append((line, "no owner name")); continue }
            var ttl = defaultTTL
            // TTL and class, in either order, both optional.
            for _ in 0..<2 {
                if let first = fields.first, let value = Self.ttl(first) { ttl = value; fields.removeFirst() }
                if let first = fields.first, ["IN", "CH", "HS"].contains(first.uppercased()) {
                    if first.uppercased() != "IN" { skipped.append((line, "class \(first) is not IN")); fields = []; break }
                    fields.removeFirst()
                }
            }
            guard let typeText = fields.first else { skipped.append((line, "no record type")); continue }
            fields.removeFirst()
            let typeName = typeText.uppercased()
            if typeName == "SOA" { replaced.append((line, "the SOA is the directors' own")); continue }
            guard let type = StaticRecordType(rawValue: typeName) else {
                skipped.append((line, "\(typeName) is not a type records: takes")); continue
            }
            if type == .ns && owner == zone { replaced.append((line, "the apex's NS records are the directors' own")); continue }
            guard owner.isWithin(zone) else { skipped.append((line, "\(owner.text) is outside \(zone.text)")); continue }
            let value: String
            switch type {
            case .txt: value = fields.joined()
            case .cname, .ns, .mx, .srv:
                // Names in the data are absolute from here on, so they read the same under any origin.
                value = fields.enumerated().map { position, field in
                    let isName = position == fields.count - 1
                    return isName ? (StaticRecordData.resolve(field, in: origin).map { $0.text + "." } ?? field) : field
                }.joined(separator: " ")
            default: value = fields.joined(separator: " ")
            }
            do {
                let data = try StaticRecordData.parse(value, as: type, zone: zone)
                let key = "\(owner.text) \(type.rawValue)"
                if let position = index[key] {
                    recordSets[position].values.append(data)
                    recordSets[position].ttl = min(recordSets[position].ttl, ttl)
                } else {
                    index[key] = recordSets.count
                    recordSets.append(StaticRecordSet(owner: owner, type: type, ttl: min(ttl, StaticRecordSet.maximumTTL), values: [data]))
                }
            } catch {
                skipped.append((line, error.description))
            }
        }
    }

    /// The zone a file is for: its first `$ORIGIN`, or the owner of its first SOA record.
    public static func origin(of text: String) -> String? {
        for (_, tokens, _) in entries(text) {
            if tokens.first?.uppercased() == "$ORIGIN", tokens.count > 1 { return tokens[1] }
            if tokens.contains(where: { $0.uppercased() == "SOA" }), let owner = tokens.first, owner != "@" { return owner }
        }
        return nil
    }

    /// The file as entries: the line each starts on, its tokens (quoted strings unquoted), and
    /// whether it starts with a blank (the previous owner). Parentheses join lines.
    static func entries(_ text: String) -> [(line: Int, tokens: [String], startsBlank: Bool)] {
        var entries: [(Int, [String], Bool)] = []
        var tokens: [String] = []
        var depth = 0
        var startLine = 0
        var startsBlank = false
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if depth == 0 {
                startLine = number + 1
                startsBlank = rawLine.first == " " || rawLine.first == "\t"
            }
            var current = ""
            var quoted = false
            var hasToken = false
            var escaped = false
            for character in rawLine {
                if escaped { current.append(character); escaped = false; continue }
                if character == "\\" { escaped = true; continue }
                if quoted {
                    if character == "\"" { quoted = false } else { current.append(character) }
                    continue
                }
                switch character {
                case "\"": quoted = true; hasToken = true
                case ";": break
                case "(": depth += 1; continue
                case ")": depth = max(0, depth - 1); continue
                case " ", "\t", "\r":
                    if hasToken || !current.isEmpty { tokens.append(current) }
                    current = ""; hasToken = false
                    continue
                default: current.append(character); continue
                }
                if character == ";" { break }
            }
            if hasToken || !current.isEmpty { tokens.append(current) }
            if depth == 0 {
                if !tokens.isEmpty { entries.append((startLine, tokens, startsBlank)) }
                tokens = []
            }
        }
        return entries
    }

    /// A TTL in seconds or with BIND's units (`1h30m`, `1d`, `2w`).
    static func ttl(_ text: String) -> UInt32? {
        if let seconds = UInt32(text) { return seconds }
        var total: UInt64 = 0
        var number: UInt64 = 0
        var sawDigit = false
        for character in text.lowercased() {
            if let digit = character.wholeNumberValue, character.isASCII {
                number = number * 10 + UInt64(digit)
                guard number <= UInt64(UInt32.max) else { return nil }
                sawDigit = true
                continue
            }
            guard sawDigit, let unit = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604_800][character] else { return nil }
            total += number * UInt64(unit)
            number = 0
            sawDigit = false
            guard total <= UInt64(UInt32.max) else { return nil }
        }
        guard !sawDigit, total > 0 else { return nil }
        return UInt32(exactly: total)
    }
}
