import AsyncHTTPClient
import Foundation
import MeridianCore
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// This director's streams to its peers (`POST /v1/peer/stream`, one long-lived request per peer
/// whose body carries tagged records, `ExchangeRecord`): each is opened with the signed headers of
/// any peer message (its timestamp is the stream's id), kept open, and opened again after a
/// failure, or when the peer has not been heard for a while (`closeIfSilent`: a connection across a
/// partition that has healed may wait seconds for TCP's next retransmission, a new one does not). A
/// peer that answers 404 runs an older version: it is marked `legacy` for `legacyRetry` and gets
/// JSON reports meanwhile (the one-version-step interop). A director that shuts down ends its
/// streams with a leaving frame (`leave`, `farewell`).
final class ExchangeLinks: Sendable {
    /// The path peers take streams at.
    static let path = "/v1/peer/stream"
    /// How long a peer that answered 404 gets JSON reports before a stream is tried again.
    static let legacyRetry: Duration = .seconds(60)
    /// How many records wait for a peer that does not read at most (the oldest are dropped: the
    /// peer finds the gap and asks again).
    static let queued = 256

    private enum Link {
        case open(AsyncStream<ByteBuffer>.Continuation, ExchangeStreamKey, next: UInt64, since: Timestamp, request: Task<Void, Never>)
        case legacy(until: Timestamp)
    }

    /// Why no stream to `peer` opens: this director's keyring has no key for it with an X25519 form.
    struct NoStreamKey: Error, CustomStringConvertible {
        var peer: DirectorName
        var description: String { "no key of \(peer) to derive the stream's record key from" }
    }

    /// The peer answered the stream 503: it is shutting down (`ExchangeRoute`).
    struct PeerLeaving: Error, CustomStringConvertible {
        var peer: DirectorName
        var description: String { "\(peer) is shutting down" }
    }

    private let links = NIOLockedValueBox<[DirectorName: Link]>([:])
    /// Set by `leave` to the peers whose open stream it ended: no stream opens any more, and
    /// nothing more is sent.
    private let leaving = NIOLockedValueBox<Set<DirectorName>?>(nil)
    private let hub: ExchangeHub
    private let traffic: PeerTraffic

    init(hub: ExchangeHub, traffic: PeerTraffic) {
        self.hub = hub
        self.traffic = traffic
    }

    /// Sends `peer` what the hub has for it now, if its stream is open; returns whether it is.
    func send(to peer: DirectorName, at now: Timestamp) -> Bool {
        links.withLockedValue { links in
            guard !isLeaving, case .open(let continuation, let key, var next, let since, let request) = links[peer] else { return false }
            for frame in hub.frames(for: peer, at: now) {
                let record = ExchangeRecord(number: next, frame: frame).sealed(with: key)
                continuation.yield(ByteBuffer(bytes: record))
                next += 1
            }
            links[peer] = .open(continuation, key, next: next, since: since, request: request)
            return true
        }
    }

    /// Whether `leave` was called.
    var isLeaving: Bool { leaving.withLockedValue { $0 != nil } }

    /// The peers `leave` told (`nil` before it was called): their streams end once each has read it.
    var told: Set<DirectorName>? { leaving.withLockedValue { $0 } }

    /// Ends every open stream with `frame` (this director is leaving, `ExchangeFrame.Body.leaving`),
    /// and opens none any more: each peer that reads it takes this director as gone at once (each
    /// stream's request ends when its peer has answered, and `run` returns).
    func leave(with frame: [UInt8]) {
        links.withLockedValue { links in
            var told = Set<DirectorName>()
            for case (let peer, .open(let continuation, let key, let next, _, _)) in links {
                continuation.yield(ByteBuffer(bytes: ExchangeRecord(number: next, frame: frame).sealed(with: key)))
                continuation.finish()
                told.insert(peer)
            }
            leaving.withLockedValue { $0 = told }
        }
    }

    /// Closes the stream to `peer` if it has been open for `window` and the peer was not `heard`
    /// within it (every peer sends at least a heartbeat per interval); `run` opens a new one.
    func closeIfSilent(_ peer: DirectorName, heard: Bool, window: Duration, at now: Timestamp) {
        let request = links.withLockedValue { links -> Task<Void, Never>? in
            guard !heard, case .open(_, _, _, let since, let request) = links[peer], now - since > window else { return nil }
            return request
        }
        request?.cancel()
    }

    /// Since when the stream to `peer` has been open (`nil`: it is not).
    func openSince(_ peer: DirectorName) -> Timestamp? {
        links.withLockedValue { links in
            guard case .open(_, _, _, let since, _) = links[peer] else { return nil }
            return since
        }
    }

    /// Whether `peer` answered 404 lately.
    func isLegacy(_ peer: DirectorName, at now: Timestamp) -> Bool {
        links.withLockedValue { links in
            guard case .legacy(let until) = links[peer] else { return false }
            return now < until
        }
    }

    /// Keeps a stream to `peer` open until cancelled: one that was open for `retry` or longer and
    /// ended (the peer stopped, the connection broke) is opened again at once, so that a peer that is
    /// gone is known to be within a round trip; one that ended sooner is tried again `retry` later. A
    /// peer that answers 503 is shutting down, and `failed` hears it (`PeerLeaving`) as a refusal.
    /// `opened` is called each time one opens (to send at once what is due), `failed` with the
    /// error each time one fails.
    func run(to peer: DirectorEndpoints, from sender: DirectorName, authentication: PeerAuthentication, client: HTTPClient,
             retry: Duration, opened: @escaping @Sendable () -> Void, failed: @escaping @Sendable (any Error) -> Void) async {
        while !Task.isCancelled, !isLeaving {
            if isLegacy(peer.name, at: .now) {
                try? await Task.sleep(for: retry)
                continue
            }
            let now = Timestamp.now
            guard let (request, continuation, key) = opening(to: peer, from: sender, authentication: authentication, at: now) else {
                failed(ExchangeLinks.NoStreamKey(peer: peer.name))
                try? await Task.sleep(for: retry)
                continue
            }
            let status = NIOLockedValueBox<Result<HTTPResponseStatus, any Error>?>(nil)
            let execution = Task {
                let answer: Result<HTTPResponseStatus, any Error>
                do {
                    answer = .success(try await client.execute(request, timeout: .hours(24)).status)
                } catch {
                    answer = .failure(error)
                }
                status.withLockedValue { $0 = answer }
            }
            let opens = links.withLockedValue { links in
                guard !isLeaving else { return false }
                links[peer.name] = .open(continuation, key, next: 1, since: now, request: execution)
                return true
            }
            guard opens else {
                execution.cancel()
                break
            }
            hub.reopened(to: peer.name)
            opened()
            await withTaskCancellationHandler { await execution.value } onCancel: { execution.cancel() }
            continuation.finish()
            let answered = status.withLockedValue { $0 }
            links.withLockedValue { links in
                links[peer.name] = (try? answered?.get()) == .notFound ? .legacy(until: .now + Self.legacyRetry) : nil
            }
            if isLeaving { break }
            switch answered {
            case .failure(let error) where !Task.isCancelled: failed(error)
            case .success(.serviceUnavailable) where !Task.isCancelled: failed(PeerLeaving(peer: peer.name))
            default: break
            }
            if Timestamp.now - now < retry { try? await Task.sleep(for: retry) }
        }
        _ = links.withLockedValue { $0.removeValue(forKey: peer.name) }
    }

    /// Tells `peer`, whose stream was not open when `leave` ended the others (this director is
    /// leaving soon after it started), on a stream of its own that carries only `frame`; waits at
    /// most `timeout` for the peer's answer.
    func farewell(to peer: DirectorEndpoints, from sender: DirectorName, frame: [UInt8], authentication: PeerAuthentication,
                  client: HTTPClient, timeout: Duration) async {
        guard let (request, continuation, key) = opening(to: peer, from: sender, authentication: authentication, at: .now) else { return }
        continuation.yield(ByteBuffer(bytes: ExchangeRecord(number: 1, frame: frame).sealed(with: key)))
        continuation.finish()
        _ = try? await client.execute(request, timeout: .milliseconds(Int64(timeout.wholeMilliseconds)))
    }

    /// A new stream's request to `peer`, signed at `now` (its id), with the continuation that feeds
    /// its body and the key its records are tagged with; `nil` when no key of the peer has an X25519 form.
    private func opening(to peer: DirectorEndpoints, from sender: DirectorName, authentication: PeerAuthentication, at now: Timestamp)
        -> (HTTPClientRequest, AsyncStream<ByteBuffer>.Continuation, ExchangeStreamKey)? {
        let envelope = PeerAuthentication.Envelope(method: "POST", path: Self.path, from: sender, to: peer.name)
        let headers = authentication.sign(Data(), envelope, at: now)
        let stream = ExchangeRecord.Stream(sender: sender.rawValue, receiver: peer.name.rawValue,
                                           id: UInt64(max(now.nanosecondsSinceEpoch / 1000, 0)))
        guard let peerKey = authentication.publicKey(of: peer),
              let key = ExchangeStreamKey(for: stream, own: authentication.key, peer: peerKey) else { return nil }
        let (body, continuation) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingNewest(Self.queued))
        var request = HTTPClientRequest(url: peer.peerURL.text + Self.path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        // Counted as the client takes each record to write it (a record dropped from a full queue is not).
        let traffic = traffic, name = peer.name
        request.body = .stream(body.map { record in
            traffic.sent(record.readableBytes, to: name, as: .stream)
            return record
        }, length: .unknown)
        return (request, continuation, key)
    }
}
