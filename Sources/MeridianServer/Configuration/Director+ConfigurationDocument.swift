import MeridianCore

extension Director {
    /// The releases as `GET /v1/configuration` shows them: the running one, the kept ones, and
    /// each peer's announcement.
    public func configurationDocument() -> ConfigurationDocument {
        let loaded = loadedConfiguration
        let reports = peering?.reports ?? [:]
        let peers = loaded.configuration.directors.map(\.endpoints.name).filter { $0 != name }.map { peer in
            ConfigurationDocument.PeerRelease(director: peer.rawValue,
                                              announced: reports[peer]?.report.release.map(ConfigurationDocument.ReleaseStatus.init),
                                              lastHeard: reports[peer]?.receivedAt.iso8601)
        }
        return ConfigurationDocument(director: name.rawValue, running: runningReleaseStatus(loaded), problem: releases.problem,
                                     kept: releases.store.announcements.map(ConfigurationDocument.ReleaseStatus.init), peers: peers)
    }

    /// The running release; serial 0, with the configuration's own fingerprint, for an unnumbered folder.
    func runningReleaseStatus(_ loaded: LoadedConfiguration) -> ConfigurationDocument.ReleaseStatus {
        loaded.release.map(ConfigurationDocument.ReleaseStatus.init)
            ?? .init(serial: 0, fingerprint: loaded.configuration.fingerprint, author: nil, madeAt: nil, signer: nil)
    }
}

extension ConfigurationDocument.ReleaseStatus {
    init(_ announcement: ConfigurationAnnouncement) {
        self.init(serial: announcement.serial, fingerprint: announcement.fingerprint, author: announcement.author,
                  madeAt: announcement.madeAt.iso8601, signer: announcement.signer.rawValue)
    }
}
