import ArgumentParser
import MeridianServer

/// `meridian keygen --out FILE`: makes a director's Ed25519 key.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make a director's signing key.",
        discussion: """
            Writes a new Ed25519 private key to FILE (readable by its owner only; an existing file is not \
            replaced), for `meridian serve --key-file FILE`, and prints the public key line to put in that \
            director's region file, under `director:` (`key: ed25519:BASE64`).
            """)

    @Option(name: .customLong("out"), help: "The private key file to write.")
    var out: String

    func run() throws {
        let key = DirectorSigningKey.generate()
        do {
            try key.write(to: out)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        printNow("director.key: \(key.publicKey)")
    }
}
