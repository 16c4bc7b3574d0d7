import ArgumentParser
import Foundation
import MeridianCore
import MeridianDNS
import MeridianServer

/// `meridian dnssec keygen|ds|roll`: the zone's DNSSEC keys, in the folder every director of the
/// zone reads with `serve --dnssec-keys DIR`.
struct DNSSECCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dnssec",
        abstract: "Make, show and roll the zone's DNSSEC keys.",
        subcommands: [Keygen.self, DS.self, Roll.self])

    /// Where the keys are and which zone they sign.
    struct KeyFolderOptions: ParsableArguments {
        @Option(help: "The key folder (every director of the zone reads the same one: serve --dnssec-keys).")
        var keys: String = "dnssec-keys"

        @Option(help: "The zone (default: the zone of --regions).")
        var zone: String?

        @Option(help: "The configuration folder the zone is read from when --zone is not given.")
        var regions: String = "regions"

        func apex() throws -> DNSName {
            let text = try zone ?? loadConfiguration(regions).zone.text
            guard let domain = DomainName(text), let name = DNSName(domain.text) else { throw ValidationError("'\(text)' is not a zone name") }
            return name
        }

        func folder() throws -> ZoneKeyFolder {
            try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            return ZoneKeyFolder(path: keys)
        }

        func load() throws -> (ZoneKeyFolder, DNSName, [ZoneKey]) {
            let apex = try apex(), folder = ZoneKeyFolder(path: keys)
            let (found, problems) = folder.load(zone: apex)
            for problem in problems { printError("warning: \(problem)") }
            guard !found.isEmpty else {
                printError("error: \(keys) has no key for \(apex): make one with `meridian dnssec keygen --keys \(keys)`")
                throw ExitCode(1)
            }
            return (folder, apex, found)
        }
    }

    static func dsLine(_ key: ZoneKey, apex: DNSName) -> String {
        "\(apex) IN DS \(key.keyTag) \(key.algorithm.rawValue) 2 \(key.dsDigestHex(owner: apex))"
    }

    static func dnskeyLine(_ key: ZoneKey, apex: DNSName) -> String {
        "\(apex) IN DNSKEY \(key.flags) 3 \(key.algorithm.rawValue) \(Data(key.publicKey).base64EncodedString())"
    }

    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a key for the zone: one combined signing key, published and active at once.",
            discussion: "Writes K<zone>.+NNN+TAG.key and .private (readable by its owner only) into the key folder, in BIND's "
                + "format, and prints the DNSKEY and the DS record for the parent zone. Copy the folder to every director of the zone.")

        @OptionGroup var folder: KeyFolderOptions

        @Option(help: "ecdsap256sha256 (algorithm 13, the default) or ed25519 (15).")
        var algorithm: String = "ecdsap256sha256"

        func run() throws {
            guard let algorithm = ZoneKey.Algorithm(name: algorithm) else {
                throw ValidationError("'\(algorithm)' is not ecdsap256sha256 or ed25519")
            }
            let apex = try folder.apex()
            let key = ZoneKey.generate(algorithm, now: .now)
            let base = try folder.folder().write(key, zone: apex)
            printNow("wrote \(base).key and \(base).private")
            printNow(DNSSECCommand.dnskeyLine(key, apex: apex))
            printNow(DNSSECCommand.dsLine(key, apex: apex))
        }
    }

    struct DS: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the DS records the parent zone should hold.",
            discussion: "One for each key the zone signals with CDS (published and not retired), SHA-256 digests.")

        @OptionGroup var folder: KeyFolderOptions

        func run() throws {
            let (_, apex, keys) = try folder.load()
            let now = Timestamp.now
            let signalled = keys.filter { $0.isSignalled(at: now) }
            for key in signalled { printNow(DNSSECCommand.dsLine(key, apex: apex)) }
            if signalled.isEmpty { printError("warning: no key is published and active") }
        }
    }

    struct Roll: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Roll the zone's key: pre-publish a new one, switch signing to it, retire the old one.",
            discussion: """
                Writes the steps' times into the key files, which every director follows by itself (each reads \
                the folder again when it changes): the new key is published now (DNSKEY and CDS list both); \
                after --wait (at least the DNSKEY TTL, dnssec.key-ttl) it signs the zone and the old key stops \
                signing all but the DNSKEY set, and CDS lists the new key only: put its DS (printed here, and by \
                `meridian dnssec ds`) at the parent then; --remove-after later, the old key leaves the DNSKEY set. \
                Copy the folder to every director after running this.
                """)

        @OptionGroup var folder: KeyFolderOptions

        @Option(help: "How long the new key is published before it signs: at least the DNSKEY TTL.")
        var wait: String = "2h"

        @Option(name: .customLong("remove-after"),
                help: "How long after the switch the old key stays published: the longest TTL of the zone, plus the parent's DS TTL.")
        var removeAfter: String = "8d"

        func run() throws {
            guard let wait = Duration.parse(wait), wait > .zero, let removeAfter = Duration.parse(removeAfter), removeAfter > .zero else {
                throw ValidationError("--wait and --remove-after take durations such as 2h or 8d")
            }
            let (keyFolder, apex, keys) = try folder.load()
            let now = Timestamp.now
            let roll: ZoneKeyRoll
            do {
                roll = try ZoneKeyRoll(keys: keys, now: now, wait: wait, removeAfter: removeAfter)
            } catch {
                printError("error: \(error.description)")
                throw ExitCode(1)
            }
            for key in roll.retired { try keyFolder.write(key, zone: apex) }
            try keyFolder.write(roll.next, zone: apex)
            let (next, switchAt, removeAt) = (roll.next, roll.switchAt, roll.removeAt)
            let old = roll.retired.map { String($0.keyTag) }.joined(separator: ", ")
            printNow("""
                \(ZoneKeyFile.stamp(now))  key \(next.keyTag) published beside \(old) (DNSKEY and CDS list both)
                \(ZoneKeyFile.stamp(switchAt))  key \(next.keyTag) signs the zone; \(old) signs only the DNSKEY set; CDS lists \(next.keyTag)
                                then put this DS at the parent, in place of the old one:
                                \(DNSSECCommand.dsLine(next, apex: apex))
                \(ZoneKeyFile.stamp(removeAt))  key \(old) leaves the DNSKEY set
                (times in UTC; copy \(folder.keys) to every director of the zone now)
                """)
        }
    }
}
