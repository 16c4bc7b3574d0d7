import MeridianCore
import MeridianDNS

/// The configuration in force and how it is replaced: reload from its folder, adopt a new one.
extension Director {
    /// The configuration in force, where it came from, the release it is, and the last reload's failure.
    struct LoadedConfiguration {
        var configuration: Configuration
        var locator: ClientLocator
        var loadedAt: Timestamp
        var source: String?
        var lastReloadError: String?
        /// The release it is (`nil`: the folder the director started from, unnumbered).
        var release: ConfigurationAnnouncement?
        /// The shortest probe interval of any gateway (one second without gateways): the exchange's interval.
        let shortestProbeInterval: Duration

        /// `geo` is the GeoIP grouping of a configuration before it, taken as it is when it is for the
        /// same database and the same region locations (grouping GeoLite2 City takes seconds).
        init(configuration: Configuration, loadedAt: Timestamp, source: String?, release: ConfigurationAnnouncement? = nil,
             reusing geo: (places: GeoPlaces, for: Configuration)? = nil) {
            self.configuration = configuration
            let reusable = geo.flatMap { geo in
                geo.for.geoIP == configuration.geoIP && geo.for.regions.map(\.location) == configuration.regions.map(\.location)
                    && geo.for.regions.map(\.name) == configuration.regions.map(\.name) ? geo.places : nil
            }
            self.locator = ClientLocator(configuration, geo: reusable ?? (try? GeoPlaces(configuration)))
            self.loadedAt = loadedAt
            self.source = source
            self.release = release
            self.shortestProbeInterval = configuration.gateways.map(\.probe.interval).min() ?? .seconds(1)
        }
    }

    /// The configuration in force, where it came from, and the last reload's failure, read at once.
    var loadedConfiguration: LoadedConfiguration { loaded.withLockedValue { $0 } }

    /// The author of the clears a reload writes, for the overrides of removed gateways and regions.
    static let reloadAuthor = "meridian (reload)"

    /// The outcome of a reload.
    public enum ReloadResult: Sendable, Equatable {
        case reloaded(fingerprint: String)
        case unchanged
        case refused(String)
    }

    /// Reads the configuration folder again (SIGHUP). A director with a key applies a folder that
    /// changed since it was last read and differs from the running release as a new release
    /// (`apply`, author `sighup@<director>`), which every director follows; one without a key
    /// adopts it alone. A valid configuration that still names this director in its region replaces
    /// the running one (gateways whose probes did not change keep their health); an invalid one is
    /// refused, and the running one stays. The certificates in use are read again too, from the
    /// files the configuration in force names (`DirectorCertificates.reload`).
    @discardableResult
    public func reload() -> ReloadResult {
        guard let source = loaded.withLockedValue({ $0.source }) else { return .refused("no configuration folder to reload") }
        let result: ReloadResult
        // A folder applied as a release is journaled as its install ("release N installed").
        let asRelease = releases.credentials != nil
        do {
            let files = try ConfigurationLoader.readFolder(source)
            result = asRelease ? applyFolder(files) : adopt(try ConfigurationLoader.load(files: files))
        } catch {
            result = .refused(error.problems.map(\.description).joined(separator: "; "))
        }
        // The certificates are read again whatever the folder says: a renewed one keeps its file name.
        for problem in certificates.reload(tls: configuration.tls, api: configuration.director(name)?.endpoints.apiTLS) {
            logger.error("certificate reload refused; the one in use stays", metadata: ["reason": "\(problem)"])
            journal.record(.configuration, "certificates", "reload refused, the one in use stays: \(problem)")
        }
        switch result {
        case .reloaded(let fingerprint):
            logger.notice("configuration reloaded", metadata: ["fingerprint": "\(fingerprint)"])
            if !asRelease { journal.record(.configuration, "configuration", "reloaded: \(fingerprint)") }
            loaded.withLockedValue { $0.lastReloadError = nil }
        case .unchanged:
            logger.info("configuration unchanged")
        case .refused(let reason):
            logger.error("configuration reload refused; keeping the running one", metadata: ["reason": "\(reason)"])
            journal.record(.configuration, "configuration", "reload refused, the running one stays: \(reason)")
            loaded.withLockedValue { $0.lastReloadError = reason }
        }
        return result
    }

    /// Applies the folder's `files` as a new release when they differ from the running release and
    /// from what the folder held when it was last read: a folder left as it was does not undo a
    /// release that came from a peer since.
    private func applyFolder(_ files: [ConfigurationLoader.SourceFile]) -> ReloadResult {
        let fingerprint = ConfigurationFingerprint.of(files)
        guard fingerprint != configuration.fingerprint, fingerprint != releases.folderFingerprint else { return .unchanged }
        switch apply(ConfigurationRelease.files(of: files), author: "sighup@\(name)") {
        case .installed(let release):
            releases.readFolder(fingerprint)
            return .reloaded(fingerprint: release.fingerprint)
        case .invalid(let problems):
            return .refused(problems.map(\.description).joined(separator: "; "))
        case .refused(let reason):
            return .refused(reason)
        }
    }

    /// Replaces the running configuration with `next`, if it still names this director in its region.
    public func adopt(_ next: Configuration) -> ReloadResult {
        adopt(next, release: nil)
    }

    /// Replaces the running configuration with `next`, which is `release` (`nil`: unnumbered). The
    /// same files under another release only take its number.
    func adopt(_ next: Configuration, release: ConfigurationAnnouncement?) -> ReloadResult {
        guard next.region(region) != nil else {
            return .refused("the new configuration has no region '\(region)'")
        }
        guard let mine = next.director(name), mine.region == region else {
            return .refused("the new configuration has no director '\(name)' in region \(region)")
        }
        let previous = loadedConfiguration
        guard next.fingerprint != previous.configuration.fingerprint || next.fingerprint.isEmpty else {
            guard let release, release != previous.release else { return .unchanged }
            loaded.withLockedValue { $0.release = release }
            return .reloaded(fingerprint: next.fingerprint)
        }
        // A zone that is to be signed must be signable here: else the running configuration stays.
        let signer: ZoneSigner?
        do {
            signer = try zoneSigner(for: next)
        } catch {
            return .refused(error.description)
        }
        let before = previous.configuration.director(name)?.endpoints
        if mine.endpoints.listenAddresses != before?.listenAddresses {
            logger.warning("listen addresses changed; they take effect when the director restarts")
        }
        // Whether a listener speaks TLS is set when it opens (its certificates are read again on SIGHUP).
        let clientCAChanged = next.peerTLS?.clientCAFile != previous.configuration.peerTLS?.clientCAFile
        if (mine.endpoints.apiTLS == nil) != (before?.apiTLS == nil) || clientCAChanged {
            logger.warning("api-tls or peer-client-ca changed; the API takes it when the director restarts")
            journal.record(.configuration, "configuration", "api-tls or peer-client-ca changed: the API takes it when the director restarts")
        }
        scheduler.adopt(next)
        overrideKeeper.clearRemovedTargets(of: next, author: Self.reloadAuthor, at: .now)
        metrics.registerDecisions(of: next)
        let adopted = loaded.withLockedValue { loaded in
            loaded = LoadedConfiguration(configuration: next, loadedAt: .now, source: loaded.source, release: release,
                                         reusing: loaded.locator.geo.map { ($0, loaded.configuration) })
            return loaded
        }
        geoIP.adopted(adopted)
        refreshSnapshot(installing: Self.responder(for: adopted, director: name, signer: signer))
        return .reloaded(fingerprint: next.fingerprint)
    }

    /// The DNS responder for `loaded`'s zone, answering as the director `director`.
    static func responder(for loaded: LoadedConfiguration, director: DirectorName, signer: ZoneSigner?) -> DNSResponder {
        let serial = UInt32(truncatingIfNeeded: loaded.loadedAt.nanosecondsSinceEpoch / 1_000_000_000)
        return DNSResponder(zone: AuthoritativeZone(loaded.configuration, serial: serial),
                            options: .init(explainRecords: loaded.configuration.debugAnswers.explain,
                                           explainOverUDP: loaded.configuration.debugAnswers.explainOverUDP,
                                           identityRecords: loaded.configuration.debugAnswers.identity,
                                           identity: director.rawValue, version: MeridianBuild.version),
                            signer: signer)
    }
}
