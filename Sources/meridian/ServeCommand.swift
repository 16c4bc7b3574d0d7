import ArgumentParser
import Foundation
import Logging
import MeridianCore
import MeridianServer
import NIOSSL
import NIOCore

/// `meridian serve --region NAME [--director NAME]`: runs one director.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run one director of one region.",
        discussion: """
            Probes every gateway of every region, answers DNS (UDP and TCP) on the director's dns \
            address, redirects HTTP clients on its redirect address, and serves the API (dashboard at /, \
            /v1/status, /v1/explain, /metrics, /healthz (ready), /livez) on its api address. SIGHUP reads the configuration folder again: \
            with a key, a folder changed since it was read is applied as a new release, which every director follows (as \
            `ctl apply` does); an invalid one is refused and the running one stays. A release kept in the state folder wins \
            over the folder at start. SIGINT or SIGTERM stops gracefully.
            """)

    @Option(help: "The region whose director this is.")
    var region: String

    @Option(help: "Which of the region's directors this is (needed when the region names several).")
    var director: String?

    @OptionGroup var regions: RegionsOption

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    @Option(name: .customLong("dns-threads"), help: "Threads answering DNS over UDP (default: one per core).")
    var dnsThreads: Int = System.coreCount

    @Option(name: .customLong("redirect-threads"), help: "Threads serving HTTP redirects (default: half the cores).")
    var redirectThreads: Int = RedirectServer.defaultThreads

    @Option(name: .customLong("key-file"),
            help: "This director's Ed25519 private key, as `meridian keygen` writes it (else MERIDIAN_DIRECTOR_KEY; without either, no peering).")
    var keyFile: String?

    @Flag(name: .customLong("insecure-loopback-keys"),
          help: "Derive every director's key from its name (anyone can): refused unless every listen address of the configuration is on loopback.")
    var insecureLoopbackKeys = false

    @Option(name: .customLong("dnssec-keys"),
            help: "The folder of the zone's DNSSEC keys, as `meridian dnssec keygen` writes them (needed when global.yaml has dnssec: on).")
    var dnssecKeys: String?

    @Option(name: .customLong("admin-token-file"),
            help: "A file holding the bearer token of the admin API (else MERIDIAN_TOKEN; without either, no admin API).")
    var adminTokenFile: String?

    @Option(name: .customLong("state"),
            help: "The folder that keeps overrides and the last observations across restarts (default: state/DIRECTOR).")
    var stateDirectory: String?

    @Option(name: .customLong("join"),
            help: "A running director's API URL to fetch the configuration from when --regions holds none (needs a key).")
    var join: String?

    @Option(name: .customLong("join-key"),
            help: "The public key (ed25519:BASE64) of the director --join asks: its answer is refused unless signed with it.")
    var joinKey: String?

    @Option(name: .customLong("join-ca-file"),
            help: "The CA certificates (PEM) an https:// --join URL is verified against (default: the system's).")
    var joinCAFile: String?

    @Option(name: .customLong("join-certificate"),
            help: "A client certificate (PEM) to present to --join, for a fleet with peer-client-ca (with --join-certificate-key).")
    var joinCertificate: String?

    @Option(name: .customLong("join-certificate-key"), help: "The private key (PEM) of --join-certificate.")
    var joinCertificateKey: String?

    func validate() throws {
        guard (1...256).contains(dnsThreads) else { throw ValidationError("--dns-threads must be 1 to 256") }
        guard (1...256).contains(redirectThreads) else { throw ValidationError("--redirect-threads must be 1 to 256") }
        guard !(insecureLoopbackKeys && keyFile != nil) else { throw ValidationError("give --key-file or --insecure-loopback-keys, not both") }
        if let joinKey, DirectorKey(joinKey) == nil { throw ValidationError("--join-key must be ed25519:BASE64, as `meridian keygen` prints it") }
        guard (joinCertificate == nil) == (joinCertificateKey == nil) else {
            throw ValidationError("give --join-certificate and --join-certificate-key together")
        }
    }

    func run() async throws {
        let logger = bootstrapLogging(level: logLevel)
        let descriptors = DescriptorLimit.raise()
        if let join, !FileManager.default.fileExists(atPath: regions.directory + "/global.yaml") {
            try await fetchConfiguration(from: join, logger: logger)
        }
        let configuration = try loadConfiguration(regions.directory)
        let budget = ConnectionBudget(descriptors: descriptors, configuration: configuration)
        let service: DirectorService
        do {
            let endpoints = try Director.endpoints(in: configuration, region: region, director: director).endpoints
            var options = DirectorService.Options(region: region, director: director, source: regions.directory, logger: logger,
                                                  budget: budget)
            options.adminToken = try AdminToken.load(file: adminTokenFile)
            options.credentials = try credentials(for: endpoints.name)
            if let credentials = options.credentials, let problem = Self.problem(with: credentials, for: endpoints.name, in: configuration) {
                printError("error: \(problem)")
                throw ExitCode(1)
            }
            options.stateDirectory = stateDirectory ?? "state/\(endpoints.name)"
            options.dnsThreads = dnsThreads
            options.dnssecKeys = dnssecKeys
            options.redirectThreads = redirectThreads
            options.reloadsOnHangup = true
            let api = endpoints.api
            options.onListening = { [logger, name = endpoints.name, fingerprint = configuration.fingerprint] listener, port in
                guard listener == .api else { return }
                logger.notice("director running", metadata: [
                    "director": "\(name)", "api": "\(MeridianCore.SocketAddress(ip: api.ip, port: UInt16(port)))",
                    "dashboard": "\(endpoints.apiTLS == nil ? "http" : "https")://\(api)/", "fingerprint": "\(fingerprint)",
                ])
            }
            service = try DirectorService(configuration: configuration, options: options)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        let director = service.director
        if director.peering == nil && configuration.directors.count > 1 {
            director.logger.warning("""
                peering is off: no key (--key-file, \(DirectorSigningKey.environmentVariable) or --insecure-loopback-keys); \
                this director decides on its own observations alone
                """)
        }
        if director.peering != nil && !insecureLoopbackKeys {
            for peer in configuration.directors.map(\.endpoints) where peer.name != director.name && peer.key == nil {
                director.logger.warning("no key for a peer: nothing it sends is taken", metadata: ["peer": "\(peer.name)"])
            }
        }
        director.logger.notice("connection limits", metadata: budget.metadata)
        try await runServices([service], listeners: listenAddresses(of: service), logger: logger)
    }
}

extension ServeCommand {
    /// Fills the empty configuration folder from a running director (`--join`).
    private func fetchConfiguration(from url: String, logger: Logger) async throws {
        do {
            guard let name = DirectorName(director ?? region), let credentials = try credentials(for: name) else {
                printError("error: --join needs a key (--key-file, \(DirectorSigningKey.environmentVariable) or --insecure-loopback-keys)")
                throw ExitCode(1)
            }
            var tls: TLSConfiguration?
            if url.hasPrefix("https://") {
                tls = try APITLS.client(caFile: joinCAFile,
                                        certificate: joinCertificate.map { .init(certificate: $0, key: joinCertificateKey ?? "") })
            }
            let fingerprint = try await ConfigurationJoin.join(url, region: region, director: director, credentials: credentials,
                                                               expecting: joinKey.flatMap(DirectorKey.init), tls: tls,
                                                               into: regions.directory)
            logger.notice("configuration fetched", metadata: ["from": "\(url)", "folder": "\(regions.directory)",
                                                          "fingerprint": "\(fingerprint)"])
        } catch let error as ExitCode {
            throw error
        } catch {
            printError("error: cannot join \(url): \(error)")
            throw ExitCode(1)
        }
    }
}

extension ServeCommand {
    /// What the director `name` peers with: its key from `--key-file` or the environment, checked
    /// against its peers' keys in the configuration; or every key derived from the names.
    private func credentials(for name: DirectorName) throws(SecretLoadError) -> PeerCredentials? {
        if insecureLoopbackKeys { return .insecureLoopback(for: name) }
        return try DirectorSigningKey.load(file: keyFile).map { PeerCredentials(key: $0, keyring: .configured) }
    }

    /// Why `credentials` cannot be used for the director `name` under `configuration`, or `nil`: keys
    /// derived from the names off loopback, or a key that is not the one the region file names.
    static func problem(with credentials: PeerCredentials, for name: DirectorName, in configuration: Configuration) -> String? {
        switch credentials.keyring {
        case .insecureLoopback:
            let exposed = configuration.directors.map(\.endpoints).flatMap { director in
                director.listenAddresses.filter { !$0.ip.isLoopback }.map { "\(director.name): \($0)" }
            }
            guard exposed.isEmpty else {
                return "--insecure-loopback-keys derives every key from the director names, which anyone can; it is refused "
                    + "because not every listen address is on loopback (\(exposed.joined(separator: ", "))). "
                    + "Make a key per director with `meridian keygen`"
            }
            return nil
        case .configured, .given:
            guard let (region, endpoints) = configuration.director(name), let named = endpoints.key else {
                return "the region file names no key for director \(name): add the line `meridian keygen` printed for this director's key"
            }
            guard named == credentials.key.publicKey else {
                return "this director's key is not the one \(region).yaml names for \(name) (key \(named))"
            }
            return nil
        }
    }
}
