import AsyncHTTPClient
import Foundation
import Logging
import MeridianCore
import NIOCore
import ServiceLifecycle

/// Pushes this director's report to every peer (the other regions' directors, at their `url`),
/// signed: at once when one of its own verdicts or overrides changes (a failure reaches the quorum
/// without waiting), and otherwise once per `interval` (by default the shortest probe interval of
/// the configuration). A peer that cannot be reached is tried again at the next push; what happened
/// to the last push is on `/v1/status`.
public struct PeerExchange: ServiceLifecycle.Service {
    private let director: Director
    private let interval: Duration
    private let client: HTTPClient

    public init(director: Director, interval: Duration? = nil) {
        self.director = director
        let interval = interval ?? director.configuration.gateways.map(\.probe.interval).min() ?? .seconds(1)
        self.interval = interval
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .milliseconds(Int64(interval.wholeMilliseconds))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func run() async throws {
        guard let peering = director.peering else {
            // Nothing to exchange; a service that returned would end the whole group.
            try? await gracefulShutdown()
            try? await client.shutdown()
            return
        }
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
            for await _ in pushes { await pushOnce(peering) }
        }
        ticker.cancel()
        trigger.finish()
        try? await client.shutdown()
    }

    private func pushOnce(_ peering: Peering) async {
        let now = Timestamp.now
        let report = director.report(at: now)
        guard let body = try? JSONEncoder().encode(report) else { return }
        let headers = peering.authentication.sign(body, from: director.region, at: now)
        let peers = director.configuration.regions.filter { $0.name != director.region }
        await withTaskGroup(of: Void.self) { group in
            for peer in peers {
                group.addTask {
                    var request = HTTPClientRequest(url: peer.director.peerURL.text + "/v1/peer/report")
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/json")
                    for (name, value) in headers { request.headers.add(name: name, value: value) }
                    request.body = .bytes(ByteBuffer(data: body))
                    // A kept connection the peer has closed fails at once; the second try opens a new one.
                    var failure: String?
                    for _ in 0..<2 {
                        do {
                            let response = try await client.execute(request, timeout: .milliseconds(Int64(interval.wholeMilliseconds)))
                            failure = response.status == .noContent ? nil : "HTTP \(response.status.code)"
                            _ = try? await response.body.collect(upTo: 64 * 1024)
                            break
                        } catch {
                            failure = "\(error)"
                        }
                    }
                    peering.recordSend(to: peer.name, at: now, error: failure)
                    if let failure {
                        director.logger.debug("peer push failed", metadata: ["peer": "\(peer.name)", "error": "\(failure)"])
                    }
                }
            }
        }
    }
}
