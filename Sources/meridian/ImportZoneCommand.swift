import ArgumentParser
import Foundation
import MeridianCore

/// `meridian import-zone FILE`: prints the `records:` block for a zone file's static records.
struct ImportZoneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-zone",
        abstract: "Print the records: block for an RFC 1035 zone file.",
        discussion: """
            Reads FILE (a master file, as BIND, NSD and Knot read them) and prints the `records:` block of \
            global.yaml that holds its A, AAAA, CNAME, TXT, MX, SRV, CAA and NS records. The SOA and the \
            apex's NS records are left out (the directors answer their own), and so is every line records: \
            cannot hold: each is listed on standard error with its line number and the reason, and the exit \
            code is then 2 (0 when every other line was taken). The names the services take must not be in the \
            block: `meridian check` says which.
            """)

    @Argument(help: "The zone file.")
    var file: String

    @Option(help: "The zone (default: the file's first $ORIGIN, else the name of its SOA record).")
    var zone: String?

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            printError("error: cannot read \(file)")
            throw ExitCode(1)
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let zone = (zone ?? ZoneFileImport.origin(of: text)).flatMap({ DomainName($0) }) else {
            printError("error: give the zone with --zone (the file has no $ORIGIN or SOA to take it from)")
            throw ExitCode(1)
        }
        let imported = ZoneFileImport(text: text, zone: zone)
        print(Self.yaml(imported.recordSets, zone: zone), terminator: "")
        for (line, reason) in imported.replaced { printError("\(file):\(line): not needed: \(reason)") }
        for (line, reason) in imported.skipped { printError("\(file):\(line): left out: \(reason)") }
        if !imported.skipped.isEmpty { throw ExitCode(2) }
    }

    /// The `records:` block: owners relative to the zone, every string quoted.
    static func yaml(_ sets: [StaticRecordSet], zone: DomainName) -> String {
        var text = "records:\n"
        var owners: [DomainName] = []
        for set in sets where !owners.contains(set.owner) { owners.append(set.owner) }
        for owner in owners {
            let relative = owner == zone ? "@" : String(owner.text.dropLast(zone.text.count + 1))
            text += "  \(quoted(relative)):\n"
            for set in sets where set.owner == owner {
                let values = "[" + set.values.map { quoted($0.description) }.joined(separator: ", ") + "]"
                text += set.ttl == StaticRecordSet.defaultTTL
                    ? "    \(set.type.rawValue): \(values)\n"
                    : "    \(set.type.rawValue): {ttl: \(set.ttl)s, values: \(values)}\n"
            }
        }
        return text
    }

    /// A YAML double-quoted scalar (JSON's string syntax, which YAML reads the same).
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
