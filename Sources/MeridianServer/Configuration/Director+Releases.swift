import MeridianCore

/// Configuration releases: an operator's folder numbered, signed, kept and installed (`ctl apply`,
/// SIGHUP), an earlier one given again (`ctl config rollback`), and a peer's taken.
extension Director {
    /// How an apply ended.
    public enum ApplyResult: Sendable {
        /// Installed as this release, and announced to the peers.
        case installed(ConfigurationAnnouncement)
        /// The files do not load: every problem, with file and line.
        case invalid([ConfigProblem])
        /// Not applied, for this reason (no key, this director could not install it, it cannot be kept).
        case refused(String)
    }

    /// The release this director runs (`nil`: the folder it started from, unnumbered).
    public var runningRelease: ConfigurationAnnouncement? { loadedConfiguration.release }

    /// Validates `files` as `check` does and, when they load and this director can install them,
    /// numbers them (one more than the highest serial it knows), signs them, keeps them and installs
    /// them; its next report announces them.
    public func apply(_ files: [ConfigurationRelease.File], author: String, at now: Timestamp = .now) -> ApplyResult {
        releases.installing.withLock { applyLocked(files, author: author, at: now) }
    }

    /// Applies kept release `serial`'s files again, as a new release (so the higher serial still wins).
    public func rollback(to serial: UInt64, author: String, at now: Timestamp = .now) -> ApplyResult {
        guard let kept = releases.store.release(serial) else {
            let serials = releases.store.announcements.map { String($0.serial) }.joined(separator: ", ")
            return .refused("no kept release \(serial) (kept: \(serials.isEmpty ? "none" : serials))")
        }
        return apply(kept.files, author: author, at: now)
    }

    private func applyLocked(_ files: [ConfigurationRelease.File], author: String, at now: Timestamp) -> ApplyResult {
        guard let key = releases.credentials?.key else {
            return .refused("this director has no key to sign a release with (--key-file)")
        }
        if let problem = ConfigurationRelease.problem(with: files) ?? ConfigurationAnnouncement.problem(author: author) {
            return .refused(problem)
        }
        let next: Configuration
        do {
            next = try ConfigurationLoader.load(files: files.map { .init(name: $0.name, text: $0.text) })
        } catch {
            return .invalid(error.problems)
        }
        if let problem = installProblem(next) { return .refused("this director cannot install it: \(problem)") }
        let heard = peering?.reports.values.compactMap(\.report.release?.serial) ?? []
        let known = releases.store.announcements.map(\.serial) + heard + [runningRelease?.serial ?? 0]
        guard let serial = ConfigurationAnnouncement.nextSerial(after: known) else {
            return .refused("the serials are spent (\(ConfigurationAnnouncement.largestSerial))")
        }
        let release = ConfigurationRelease.signed(files, serial: serial, author: author, signer: name, at: now, key: key)
        do {
            try releases.store.keep(release)
        } catch {
            return .refused(error.description)
        }
        installLocked(next, release: release.announcement, how: "applied by \(author)")
        return .installed(release.announcement)
    }

    /// Takes `release`, fetched from `peer`: its signature must be right for its signer's key under
    /// the running configuration, its files must load, and this director must be able to install
    /// them. A release it cannot take is counted, said in `/v1/status` and the journal, and the
    /// running one stays.
    func install(_ release: ConfigurationRelease, from peer: DirectorName, at now: Timestamp = .now) -> ReleaseFollowing<DirectorName>.Outcome {
        releases.installing.withLock {
            let announcement = release.announcement
            if let running = runningRelease?.rank, announcement.rank <= running { return .installed }
            switch check(release, at: now) {
            case .failure(let refusal):
                let text = "release \(announcement.rank) from \(peer) not installed, the running one stays: \(refusal)"
                releases.failed(text)
                logger.error("configuration release refused", metadata: ["release": "\(announcement.rank)", "peer": "\(peer)",
                                                                         "problem": "\(refusal)"])
                journal.record(.configuration, "configuration", text, at: now)
                return .refused(refusal.description)
            case .success(let next):
                do {
                    try releases.store.keep(release)
                } catch {
                    logger.warning("configuration release not kept", metadata: ["problem": "\(error)"])
                }
                installLocked(next, release: announcement, how: "from \(peer), made by \(announcement.signer) for \(announcement.author)")
                return .installed
            }
        }
    }

    /// Why a peer's release is not installed.
    struct ReleaseRefusal: Error, CustomStringConvertible {
        var description: String
    }

    /// The configuration `release` holds, when this director can install it at `now`.
    private func check(_ release: ConfigurationRelease, at now: Timestamp) -> Result<Configuration, ReleaseRefusal> {
        let announcement = release.announcement
        if let problem = release.problem(at: now, maximumSkew: peering?.authentication.maximumSkew ?? .seconds(30)) {
            return .failure(ReleaseRefusal(description: problem))
        }
        guard let key = releases.key(of: announcement.signer, in: configuration), release.isSigned(by: key) else {
            return .failure(ReleaseRefusal(description: "it is not signed with the key the running configuration names for \(announcement.signer)"))
        }
        let next: Configuration
        do {
            next = try ConfigurationLoader.load(files: release.sourceFiles)
        } catch {
            return .failure(ReleaseRefusal(description: "it does not load: " + error.problems.map(\.description).joined(separator: "; ")))
        }
        if let problem = installProblem(next) { return .failure(ReleaseRefusal(description: problem)) }
        return .success(next)
    }

    /// Installs `next` as `release` (under `releases.installing`) and journals it.
    private func installLocked(_ next: Configuration, release: ConfigurationAnnouncement, how: String) {
        _ = adopt(next, release: release)
        releases.installed()
        logger.notice("configuration release installed", metadata: ["serial": "\(release.serial)", "fingerprint": "\(release.fingerprint)",
                                                                    "how": "\(how)"])
        journal.record(.configuration, "configuration", "release \(release.rank) installed, \(how)")
        ownChanged()
    }

    /// Why this director cannot run under `next`, or `nil`: it is no longer there in its region, or
    /// a listen address of its own that changed cannot be bound here.
    func installProblem(_ next: Configuration) -> String? {
        guard let mine = next.director(name), mine.region == region else {
            return "the new configuration has no director '\(name)' in region \(region)"
        }
        let running = Set(configuration.director(name)?.endpoints.listenAddresses ?? [])
        let endpoints = mine.endpoints
        for (address, datagram) in [(endpoints.dns, true), (endpoints.redirect, false), (endpoints.api, false)]
        where !running.contains(address) {
            if let problem = ListenAddressCheck.problem(binding: address, datagram: datagram) { return problem }
        }
        return nil
    }
}
