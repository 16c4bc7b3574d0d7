import Foundation
import MeridianCore

/// A zone key in BIND's two files, which `dnssec-keygen` writes and Knot's `keymgr import-bind`
/// reads: `K<zone>.+<alg>+<tag>.key` (the DNSKEY record) and `.private` (the private key and the
/// key's times: Created, Publish, Activate, Inactive, Delete).
public enum ZoneKeyFile {
    /// Why a key's files cannot be read.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// `K<zone>.+<alg>+<tag>`, the files' shared name.
    public static func baseName(_ key: ZoneKey, zone: DNSName) -> String {
        let tag = String(key.keyTag), algorithm = String(key.algorithm.rawValue)
        return "K\(zone.description)+" + String(repeating: "0", count: 3 - algorithm.count) + algorithm
            + "+" + String(repeating: "0", count: 5 - tag.count) + tag
    }

    /// The `.key` file: the DNSKEY record with the times as comments.
    public static func publicText(_ key: ZoneKey, zone: DNSName) -> String {
        let role = key.flags & 1 == 1 ? "key-signing" : "zone-signing"
        var text = "; This is a \(role) key, keyid \(key.keyTag), for \(zone.description)\n"
        for (label, time) in timing(key) { text += "; \(label): \(stamp(time))\n" }
        return text + "\(zone.description) IN DNSKEY \(key.flags) 3 \(key.algorithm.rawValue) "
            + Data(key.publicKey).base64EncodedString() + "\n"
    }

    /// The `.private` file.
    public static func privateText(_ key: ZoneKey) -> String {
        var text = "Private-key-format: v1.3\nAlgorithm: \(key.algorithm.rawValue) (\(key.algorithm.mnemonic))\n"
        text += "PrivateKey: \(Data(key.privateKeyBytes).base64EncodedString())\n"
        for (label, time) in timing(key) { text += "\(label): \(stamp(time))\n" }
        return text
    }

    private static func timing(_ key: ZoneKey) -> [(String, Timestamp)] {
        [("Created", key.created), ("Publish", key.publish), ("Activate", key.activate), ("Inactive", key.inactive),
         ("Delete", key.delete)].compactMap { label, time in time.map { (label, $0) } }
    }

    /// The key from its two files' texts; the `.key` file's owner must be `zone`.
    public static func read(publicText: String, privateText: String, zone: DNSName) throws(Problem) -> ZoneKey {
        let record = publicText.split(separator: "\n").first { !$0.hasPrefix(";") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        let fields = record.map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) } ?? []
        guard let typeIndex = fields.firstIndex(where: { $0.uppercased() == "DNSKEY" }), fields.count >= typeIndex + 5,
              let flags = UInt16(fields[typeIndex + 1]), fields[typeIndex + 2] == "3" else {
            throw Problem(description: "the .key file holds no DNSKEY record")
        }
        guard let owner = DNSName(fields[0]), owner == zone else {
            throw Problem(description: "the key is for \(fields[0]), not \(zone.description)")
        }
        var values: [String: String] = [:]
        for line in privateText.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            values[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard let algorithmField = values["Algorithm"]?.split(separator: " ").first, let number = UInt8(algorithmField),
              let algorithm = ZoneKey.Algorithm(rawValue: number) else {
            throw Problem(description: "the algorithm is not 13 (ECDSAP256SHA256) or 15 (ED25519)")
        }
        guard String(algorithm.rawValue) == fields[typeIndex + 3] else {
            throw Problem(description: "the .key and .private files give different algorithms")
        }
        guard let encoded = values["PrivateKey"], let bytes = Data(base64Encoded: encoded),
              let created = try time(values["Created"] ?? "19700101000000"),
              var key = ZoneKey(algorithm: algorithm, flags: flags, privateKeyBytes: Array(bytes), created: created) else {
            throw Problem(description: "the private key is not a valid \(algorithm.mnemonic) key")
        }
        guard Data(key.publicKey).base64EncodedString() == fields[(typeIndex + 4)...].joined() else {
            throw Problem(description: "the .private file's key does not match the .key file's DNSKEY")
        }
        key.publish = try time(values["Publish"])
        key.activate = try time(values["Activate"])
        key.inactive = try time(values["Inactive"])
        key.delete = try time(values["Delete"])
        return key
    }

    /// `YYYYMMDDHHMMSS` in UTC.
    public static func stamp(_ time: Timestamp) -> String {
        let seconds = time.nanosecondsSinceEpoch / 1_000_000_000
        let days = Int(seconds.quotientRounding(by: 86400)), second = Int(seconds - Int64(days) * 86400)
        let (year, month, day) = CivilDate.date(daysSinceEpoch: days)
        return String(format: "%04d%02d%02d%02d%02d%02d", year, month, day, second / 3600, second / 60 % 60, second % 60)
    }

    static func time(_ text: String?) throws(Problem) -> Timestamp? {
        guard let text else { return nil }
        let digits = text.prefix(14)
        guard digits.count == 14, digits.allSatisfy(\.isASCII), let value = Int64(digits) else {
            throw Problem(description: "'\(text)' is not a time (YYYYMMDDHHMMSS)")
        }
        let year = Int(value / 10_000_000_000), month = Int(value / 100_000_000 % 100), day = Int(value / 1_000_000 % 100)
        let hour = Int(value / 10000 % 100), minute = Int(value / 100 % 100), second = Int(value % 100)
        guard (1970...9999).contains(year), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else {
            throw Problem(description: "'\(text)' is not a time (YYYYMMDDHHMMSS)")
        }
        let days = Int64(CivilDate.daysSinceEpoch(year: year, month: month, day: day))
        return Timestamp(secondsSinceEpoch: days * 86400 + Int64(hour * 3600 + minute * 60 + second))
    }
}

extension Int64 {
    /// The quotient rounded toward negative infinity.
    fileprivate func quotientRounding(by divisor: Int64) -> Int64 {
        self >= 0 ? self / divisor : (self - divisor + 1) / divisor
    }
}
