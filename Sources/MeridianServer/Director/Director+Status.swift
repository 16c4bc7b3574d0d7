import MeridianCore

extension Director {
    /// The health dashboard: this director, every region and gateway, where each client network is
    /// sent now, overrides and peers. Regions and steering are the installed snapshot's (what the
    /// listeners answer from); `now` dates the document and the peers' states.
    public func status(at now: Timestamp = .now) -> StatusDocument {
        let loaded = loadedConfiguration
        let configuration = loaded.configuration
        let snapshot = currentSnapshot()
        let assessment = snapshot.assessment
        let health = board.health
        let regions = assessment.sites.map { site in
            StatusDocument.RegionStatus(
                name: site.region.name.rawValue, latitude: site.region.location.latitude,
                longitude: site.region.location.longitude, availability: site.availability.rawValue,
                reason: site.reason, score: site.score.rounded(to: 4), healthy: site.healthyCount,
                total: site.gateways.count, healthyFraction: site.healthyFraction.rounded(to: 4),
                minHealthy: site.region.minHealthy, weight: site.region.weight, capacity: site.region.capacity,
                latencyMs: site.latency.map { $0.milliseconds.rounded(to: 3) },
                override: site.override.map(Self.overrideStatus),
                gateways: site.gateways.map { Self.gatewayEntry($0, health: health[$0.gateway.name]) })
        }
        let services = configuration.services.map { service in
            let load = StatusDocument.load(of: service, in: snapshot)
            return StatusDocument.ServiceStatus(
                name: service.name.rawValue, fqdn: service.fqdn.text, policy: service.policy.rawValue,
                allDown: service.allDown.keyword,
                steering: configuration.networks.map { network in
                    let client = ClientLocator.location(of: network)
                    let decision = Steering.decide(service, for: client, in: assessment, plan: snapshot.plan.plan(for: service.name))
                    return StatusDocument.SteeringEntry(
                        network: network.name.rawValue, region: decision.chosenRegion?.rawValue,
                        outcome: decision.chosenRegion == nil ? "all-down" : "site",
                        addresses: decision.addresses.map(\.description), reason: decision.reason,
                        shares: Dictionary(uniqueKeysWithValues: decision.shares.map { ($0.key.rawValue, $0.value.rounded(to: 4)) }))
                },
                sites: load.sites, short: load.short)
        }
        let (probed, warmingUp) = warmUpState(configuration, health: health, at: now)
        let readiness = Readiness.judge(assessment, probed: probed, warmingUp: warmingUp)
        return StatusDocument(
            director: .init(name: name.rawValue, region: region.rawValue, version: MeridianBuild.version, startedAt: startedAt.iso8601,
                            uptimeSeconds: (now - startedAt).seconds.rounded(to: 3),
                            configuration: .init(fingerprint: configuration.fingerprint, loadedAt: loaded.loadedAt.iso8601,
                                                 source: loaded.source, lastReloadError: loaded.lastReloadError,
                                                 serial: loaded.release?.serial ?? 0, author: loaded.release?.author,
                                                 madeAt: loaded.release?.madeAt.iso8601, signer: loaded.release?.signer.rawValue,
                                                 problem: releases.problem),
                            warmingUp: warmingUp, ready: readiness.ready, readiness: readiness.reason, isolated: assessment.consensus.isolated,
                            stateProblems: stateProblems.map(\.description),
                            probing: .init(gateways: scheduler.share?.count ?? configuration.gateways.count, of: configuration.gateways.count,
                                           sharedWith: scheduler.share == nil ? [] : activeRegionMates(at: now).sorted().map(\.rawValue))),
            regions: regions, services: services,
            overrides: assessment.overrides.all.map(Self.overrideStatus), peers: peerStatus(configuration, now: now),
            records: configuration.records.map {
                StatusDocument.RecordStatus(name: $0.owner.text, type: $0.type.rawValue, ttl: $0.ttl, values: $0.values.map(\.description))
            },
            dnssec: answering.current.responder.signer.map { signer in
                StatusDocument.DNSSECStatus(
                    signingKeys: signer.identity.signing, publishedKeys: signer.identity.published, signalledKeys: signer.identity.signalled,
                    inception: Timestamp(secondsSinceEpoch: signer.inception).iso8601,
                    expiration: Timestamp(secondsSinceEpoch: signer.expiration).iso8601, signaturesMade: signing?.signaturesMade ?? 0)
            },
            generatedAt: now.iso8601)
    }

    /// Whether this director answers from a fresh view (`/healthz`; the rule is `Readiness`'s).
    public func readiness(at now: Timestamp = .now) -> Readiness {
        let (probed, warmingUp) = warmUpState(configuration, health: board.health, at: now)
        return Readiness.judge(currentSnapshot().assessment, probed: probed, warmingUp: warmingUp)
    }

    /// How many gateways this director has probed, and whether it is still warming up: not every
    /// gateway of its share probed (`ProbeShare`), within three of the longest probe intervals from the start.
    private func warmUpState(_ configuration: Configuration, health: [GatewayName: GatewayHealth],
                             at now: Timestamp) -> (probed: Int, warmingUp: Bool) {
        let probed = health.values.filter { $0.lastOutcome != nil }.count
        let share = scheduler.share
        let unprobed = configuration.gateways.contains { (share?.contains($0.name) ?? true) && health[$0.name]?.lastOutcome == nil }
        let longestInterval = configuration.gateways.map(\.probe.interval).max() ?? .seconds(1)
        return (probed, unprobed && now - startedAt < longestInterval * 3)
    }

    /// The overrides in force, as `/v1/status` and `/v1/overrides` show them (a drain past its grace
    /// period shows as the `down` it has become), without assessing every site.
    public func overrideStatus(at now: Timestamp = .now) -> [StatusDocument.OverrideStatus] {
        OverrideSet(overrides(at: now), at: now, drainGrace: configuration.drainGrace).all.map(Self.overrideStatus)
    }

    /// Every other director (of this region and the others) and how this one hears it (`PeerState`).
    func peerStates(_ configuration: Configuration,
                    now: Timestamp) -> [(peer: (region: RegionName, endpoints: DirectorEndpoints), state: PeerState)] {
        let reports = peering?.reports ?? [:]
        let window = (configuration.gateways.map(\.probe.interval).max() ?? .seconds(1)) * 3
        return configuration.directors.filter { $0.endpoints.name != name }.map { peer in
            (peer, peering == nil ? .off : PeerState.of(lastHeard: reports[peer.endpoints.name]?.receivedAt, window: window, at: now))
        }
    }

    /// The peers as `/v1/status` shows them.
    func peerStatus(_ configuration: Configuration, now: Timestamp) -> [StatusDocument.PeerStatus] {
        let reports = peering?.reports ?? [:]
        let sends = peering?.sends ?? [:]
        return peerStates(configuration, now: now).map { peer, state in
            let heard = reports[peer.endpoints.name]
            return StatusDocument.PeerStatus(
                director: peer.endpoints.name.rawValue, region: peer.region.rawValue, url: peer.endpoints.peerURL.text, state: state.rawValue,
                lastHeard: heard?.receivedAt.iso8601, fingerprint: heard?.report.fingerprint,
                sameConfiguration: heard.map { $0.report.fingerprint == PeerReport.reported(configuration.fingerprint) },
                lastSent: sends[peer.endpoints.name]?.at.iso8601, lastSendError: sends[peer.endpoints.name]?.error)
        }
    }

    private static func gatewayEntry(_ status: GatewayStatus, health: GatewayHealth?) -> StatusDocument.GatewayStatusEntry {
        let probe = status.gateway.probe
        let host = probe.targetHost.contains(":") ? "[\(probe.targetHost)]" : probe.targetHost
        let target = probe.kind == .tcp ? "tcp://\(host):\(probe.targetPort)"
            : "\(probe.kind.rawValue)://\(host):\(probe.targetPort)\(probe.path)"
        return StatusDocument.GatewayStatusEntry(
            name: status.gateway.name.rawValue, address: status.gateway.address.description, probe: target,
            state: status.state.rawValue, verdict: (health?.verdict ?? .unknown).rawValue, reason: status.reason,
            since: health?.since?.iso8601, consecutiveSuccesses: health?.consecutiveSuccesses ?? 0,
            consecutiveFailures: health?.consecutiveFailures ?? 0, strikes: health?.strikes ?? 0,
            latencyMs: health?.latency.value.map { $0.milliseconds.rounded(to: 3) },
            lastProbe: health?.lastOutcome.map { outcome in
                StatusDocument.ProbeInfo(at: outcome.at.iso8601, ok: outcome.succeeded,
                                         latencyMs: outcome.latency.milliseconds.rounded(to: 3), error: outcome.error)
            })
    }

    /// A write as the API shows it: a clear has the action `clear`.
    static func overrideStatus(of write: OverrideTable.Write) -> StatusDocument.OverrideStatus {
        var status = overrideStatus(write.override)
        if write.cleared {
            status.action = "clear"
            status.expiresAt = nil
        }
        return status
    }

    private static func overrideStatus(_ override: Override) -> StatusDocument.OverrideStatus {
        StatusDocument.OverrideStatus(target: override.target.description, action: override.action.rawValue,
                                      reason: override.reason, author: override.author, setAt: override.setAt.iso8601,
                                      expiresAt: override.expiresAt?.iso8601)
    }
}

/// Facts about this build.
public enum MeridianBuild {
    public static let version = "0.1.0"
}

extension Director {
    /// The decision for `client` as the DNS and redirect listeners make it now, explained: it is
    /// made from their installed snapshot. Counted in `meridian_decisions_total`.
    public func explain(client: IPAddress, service: Service) -> DecisionReport {
        let decision = currentSnapshot().decide(service, for: client)
        metrics.counted(decision)
        return DecisionReport(decision, address: client, at: decision.at.iso8601)
    }
}
