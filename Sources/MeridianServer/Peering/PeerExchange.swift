import AsyncHTTPClient
import Foundation
import Logging
import MeridianCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// Tells every peer (every other director, of its region and the others, at their `url`) what
/// changed in this director's state: at once when one of its own verdicts or overrides changes
/// (gathered for `coalescing`; a failure reaches the quorum without waiting), and otherwise once per
/// `interval` (by default the shortest probe interval of the configuration). A peer with an open
/// stream (`ExchangeLinks`) gets the changes as tagged binary records, and a heartbeat at least
/// once an interval; a peer of an older version (it answers 404 to the stream) gets this director's
/// whole report, signed, and so does every peer when this director does not stream. A peer whose
/// stream is down gets nothing until it opens again (with what the peer lacks). Each peer is told
/// of a new configuration release in a report (without observations when it takes streams), again
/// until it has taken it. What happened to the last push is on `/v1/status`.
///
/// A push to a peer this director has not heard from lately (at start, after a partition) asks for
/// the peer's report in return, signed in reply to the push: a starting director learns what its
/// peers see within one round trip instead of waiting for their next push. `greet()` makes that
/// first round before the director's listeners open.
public struct PeerExchange: ServiceLifecycle.Service {
    /// The header of a push that asks for the receiver's report in return (value `report`).
    static let replyHeader = "X-Meridian-Reply"
    /// The path peers take reports at.
    static let reportPath = "/v1/peer/report"
    /// How long changes are gathered before they go out.
    static let coalescing: Duration = .milliseconds(10)

    let director: Director
    private let interval: Duration
    private let clientConfiguration: HTTPClient.Configuration
    private let streams: Bool

    /// With `streams` false, this director opens no stream and pushes full reports only, as the
    /// previous version does (the fleet benchmark compares the two). Peers at `https://` URLs are
    /// reached with `tls` (`APITLS.peerClient`).
    public init(director: Director, interval: Duration? = nil, streams: Bool = true, tls: TLSConfiguration? = nil) {
        self.director = director
        self.streams = streams
        let interval = interval ?? director.configuration.gateways.map(\.probe.interval).min() ?? .seconds(1)
        self.interval = interval
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .milliseconds(Int64(interval.wholeMilliseconds))
        configuration.tlsConfiguration = tls
        clientConfiguration = configuration
    }

    public func run() async throws {
        guard let peering = director.peering else {
            // Nothing to exchange; a service that returned would end the whole group.
            try? await gracefulShutdown()
            return
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        // Ticks and changes feed one stream; a burst of changes while a push is under way makes one
        // more push, not many.
        let (pushes, trigger) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        director.onOwnChange { trigger.yield() }
        let interval = self.interval
        let ticker = Task {
            while !Task.isCancelled {
                trigger.yield()
                try? await Task.sleep(for: interval)
            }
        }
        await cancelWhenGracefulShutdown {
            // One stream to each peer the configuration in force names (a reload adds and removes them).
            var streamsTo: [DirectorName: (peer: DirectorEndpoints, task: Task<Void, Never>)] = [:]
            var configured: (fingerprint: String, gateways: Int, peers: [DirectorName])?
            var announced: [DirectorName: ConfigurationAnnouncement?] = [:]
            var syncedAt: Timestamp?
            var saidFarewell = false
            for await _ in pushes {
                // What changes within the window goes out in one frame.
                try? await Task.sleep(for: Self.coalescing)
                // Once this director said it is leaving, its peers hear nothing more from it but
                // that, on a stream of its own to each peer `leave` could not tell (it runs on until
                // its graceful shutdown reaches it: a service that returned would end the group).
                if let told = peering.links.told {
                    if !saidFarewell {
                        saidFarewell = true
                        // Not to a peer of the older version (it knows no leaving frame), nor from a director that does not stream.
                        let now = Timestamp.now
                        await sayFarewell(peering, client: client, to: director.configuration.directors.map(\.endpoints).filter {
                            streams && $0.name != director.name && !told.contains($0.name) && !peering.links.isLegacy($0.name, at: now)
                        })
                    }
                    continue
                }
                let configuration = director.configuration
                let peers = configuration.directors.map(\.endpoints).filter { $0.name != director.name }
                if streams {
                    for (name, stream) in streamsTo where !peers.contains(stream.peer) {
                        stream.task.cancel()
                        streamsTo[name] = nil
                    }
                    for peer in peers where streamsTo[peer.name] == nil {
                        streamsTo[peer.name] = (peer, Task {
                            await peering.links.run(to: peer, from: director.name, authentication: peering.authentication, client: client,
                                                    retry: interval, opened: { trigger.yield() },
                                                    failed: { streamFailed(to: peer.name, $0, peering: peering) })
                        })
                    }
                }
                let shape = (configuration.fingerprint, configuration.regions.reduce(0) { $0 + $1.gateways.count }, peers.map(\.name))
                if configured.map({ $0 != shape }) ?? true {
                    peering.hub.configure(configuration, maximumSkew: peering.authentication.maximumSkew, heartbeat: interval)
                    configured = shape
                }
                // Once an interval every observation is synced (latencies, staleness, removals); in
                // between, what an own verdict change triggers syncs just the gateways that changed.
                let complete = syncedAt.map { Timestamp.now - $0 >= interval } ?? true
                if complete { syncedAt = .now }
                await exchangeOnce(peering, client: client, peers: peers, complete: complete)
                // The release is announced to each peer in a report (the stream carries none), again
                // at each push until the peer has taken it (one cut off meanwhile takes it after the heal).
                let release = director.loadedConfiguration.release
                let unannounced = peers.filter { announced[$0.name] != .some(release) }
                if !unannounced.isEmpty {
                    let pushedAt = Timestamp.now
                    await pushOnce(peering, client: client, to: unannounced, lean: streams)
                    let sends = peering.sends
                    for peer in unannounced where sends[peer.name].map({ $0.error == nil && $0.at >= pushedAt }) ?? false {
                        announced[peer.name] = .some(release)
                    }
                }
            }
            // A director that said it is leaving gives each peer it told a moment to read that.
            let told = peering.links.told ?? []
            for (name, stream) in streamsTo where !told.contains(name) { stream.task.cancel() }
            let farewell = Task { [streamsTo] in
                if !told.isEmpty { try? await Task.sleep(for: Self.farewell) }
                for stream in streamsTo.values { stream.task.cancel() }
            }
            for stream in streamsTo.values { await stream.task.value }
            farewell.cancel()
        }
        ticker.cancel()
        trigger.finish()
        try? await client.shutdown()
    }

    /// One push to every peer, each asked for its report in return, before the director answers
    /// anyone: a director that starts with an empty state folder then answers from its peers'
    /// observations from its first query. A peer that does not answer holds it up for at most two
    /// probe intervals.
    public func greet() async {
        guard let peering = director.peering else { return }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        await pushOnce(peering, client: client, askingEveryPeer: true)
        try? await client.shutdown()
    }

    /// Streams what changed to every peer whose stream is open, and pushes a report to a peer of
    /// an older version (or to every peer, when this director does not stream). A peer whose stream
    /// is down gets nothing meanwhile: the stream, opened again, starts from what the peer
    /// acknowledged, or with a snapshot (full reports to every peer that is not listening yet would
    /// cost a fleet far more than they tell). With `complete`, every own observation is synced;
    /// without, only those whose verdict changed since the last push.
    private func exchangeOnce(_ peering: Peering, client: HTTPClient, peers: [DirectorEndpoints], complete: Bool) async {
        let now = Timestamp.now
        for peer in peers {
            peering.links.closeIfSilent(peer.name, heard: peering.heard(from: peer.name, within: interval * 2, now: now),
                                        window: interval * 2, at: now)
        }
        let changed = peering.hub.takeChangedVerdicts()
        let observations = complete ? director.board.observations(by: director.name)
            : director.board.observations(by: director.name, of: changed)
        _ = peering.hub.sync(observations: observations, overrides: director.overrideKeeper.all, at: now, complete: complete)
        var unstreamed: [DirectorEndpoints] = []
        let gone = peering.gone
        for peer in peers {
            if peering.links.send(to: peer.name, at: now) {
                // Open for an interval without failing, and the peer heard since it opened: the peer
                // takes it (a connection a director on its way out accepted but never answers is not
                // that, nor is one to a peer that said it is leaving).
                if !gone.contains(peer.name), let since = peering.links.openSince(peer.name), now - since >= interval,
                   peering.heard(from: peer.name, within: now - since, now: now) {
                    peering.recordSend(to: peer.name, at: now, error: nil)
                }
            } else if !streams || peering.links.isLegacy(peer.name, at: now) {
                unstreamed.append(peer)
            }
        }
        if unstreamed.isEmpty {
            // A region-mate gone unheard leaves its share to the others (`pushOnce` sees to it otherwise).
            director.updateProbeShare()
        } else {
            await pushOnce(peering, client: client, to: unstreamed)
        }
    }

    /// Pushes this director's report to `only` (by default every peer). `lean`: a peer that takes
    /// streams (one not known to be of an older version) gets the report without observations,
    /// which its stream carries: what announces a release costs little in a large fleet.
    private func pushOnce(_ peering: Peering, client: HTTPClient, to only: [DirectorEndpoints]? = nil, askingEveryPeer: Bool = false,
                          lean: Bool = false) async {
        let now = Timestamp.now
        let peers = only ?? director.configuration.directors.map(\.endpoints).filter { $0.name != director.name }
        let leanPeers = Set(peers.filter { lean && !peering.links.isLegacy($0.name, at: now) }.map(\.name))
        // Each body is made only if some peer gets it: the full one holds every observation.
        var report = director.report(at: now, withObservations: leanPeers.count < peers.count)
        let full = leanPeers.count < peers.count ? try? JSONEncoder().encode(report) : nil
        report.observations = []
        let leanBody = leanPeers.isEmpty ? nil : try? JSONEncoder().encode(report)
        // Not heard from for two intervals: one missed push, not yet stale.
        let quiet = peers.filter { askingEveryPeer || !peering.heard(from: $0.name, within: interval * 2, now: now) }.map(\.name)
        await withTaskGroup(of: Void.self) { group in
            for peer in peers {
                let lean = leanPeers.contains(peer.name)
                guard let body = lean ? leanBody : full else { continue }
                group.addTask {
                    // A kept connection the peer has closed fails at once; the second try opens a new one.
                    // Each try is signed afresh: the peer may have taken the first one, and would
                    // refuse the same signature again as a replay.
                    var failure: String?
                    var refused = false
                    for _ in 0..<2 {
                        var request = HTTPClientRequest(url: peer.peerURL.text + Self.reportPath)
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/json")
                        let envelope = PeerAuthentication.Envelope(method: "POST", path: Self.reportPath, from: director.name, to: peer.name)
                        let headers = peering.authentication.sign(body, envelope, at: .now)
                        let signature = PeerAuthentication.signature(in: headers) ?? ""
                        for (name, value) in headers { request.headers.add(name: name, value: value) }
                        if quiet.contains(peer.name) && !lean { request.headers.add(name: Self.replyHeader, value: "report") }
                        request.body = .bytes(ByteBuffer(data: body))
                        do {
                            let response = try await client.execute(request, timeout: .milliseconds(Int64(interval.wholeMilliseconds)))
                            peering.traffic.sent(body.count, to: peer.name, as: .report)
                            let answer = try? await response.body.collect(upTo: PeerReportCheck.largestBody(for: director.configuration))
                            peering.traffic.received(answer?.readableBytes ?? 0, from: peer.name, as: .report)
                            switch response.status {
                            case .noContent:
                                failure = nil
                            case .ok:
                                failure = takeReply(answer, headers: response.headers, from: peer.name, to: signature, peering: peering)
                            default:
                                failure = "HTTP \(response.status.code)"
                            }
                            break
                        } catch {
                            failure = "\(error)"
                            refused = Self.isRefusal(error)
                        }
                    }
                    if peering.recordSend(to: peer.name, at: now, error: failure, refused: refused) {
                        // Its observations stop counting now, not when they go stale.
                        director.refreshSnapshot()
                    }
                    if let failure {
                        director.logger.debug("peer push failed", metadata: ["peer": "\(peer.name)", "error": "\(failure)"])
                    }
                }
            }
        }
        // A region-mate that refused this push or has gone unheard leaves its share to the others.
        director.updateProbeShare()
    }

    /// Records that the stream to `peer` failed with `error`; a peer that refused the connection
    /// is gone (`Peering.gone`): its observations stop counting now and a region-mate's share is
    /// taken over.
    private func streamFailed(to peer: DirectorName, _ error: any Error, peering: Peering) {
        if peering.recordSend(to: peer, at: .now, error: "stream: \(error)", refused: Self.isRefusal(error)) {
            director.refreshSnapshot()
            director.updateProbeShare()
        }
    }

    /// Whether `error` says that nothing listens at the peer's address (connection refused), or that
    /// the peer said it is shutting down.
    static func isRefusal(_ error: any Error) -> Bool {
        if error is ExchangeLinks.PeerLeaving { return true }
        if let error = error as? IOError { return error.errnoCode == ECONNREFUSED }
        if let error = error as? NIOConnectionError { return error.connectionErrors.contains { isRefusal($0.error) } }
        return false
    }

    /// Takes the report a peer sent back; returns why it was refused, if it was.
    private func takeReply(_ body: ByteBuffer?, headers: HTTPHeaders, from peer: DirectorName, to request: String,
                           peering: Peering) -> String? {
        let body = body.map { Data(buffer: $0) } ?? Data()
        let now = Timestamp.now
        let verified = peering.authentication.verify(body, .init(headers), method: "POST", path: Self.reportPath, receiver: director.name,
                                                     known: [peer], configuration: director.configuration, now: now, inReplyTo: request)
        switch verified {
        case .failure(let refusal):
            peering.refused(refusal.rawValue, from: peer, detail: "reply", at: now, logger: director.logger)
            return "reply refused: \(refusal.rawValue)"
        case .success:
            guard let report = try? JSONDecoder().decode(PeerReport.self, from: body) else {
                let refusal = PeerAuthentication.Refusal.malformed.rawValue
                peering.refused(refusal, from: peer, detail: "reply: not a peer report", at: now, logger: director.logger)
                return "reply refused: \(refusal)"
            }
            return director.receive(report, from: peer, at: now).map { "reply refused: \($0)" }
        }
    }
}
