import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import MeridianCore
import MeridianTesting
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
@testable import MeridianServer

/// A director of a `LiveWorld` running for real: its probes and its API on 127.0.0.1 (port 0).
struct RunningDirector {
    let director: Director
    let apiPort: Int
    let dnsPort: Int
    let redirectPort: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// Starts the director of `region`; with `peering`, it peers with the other regions' directors
    /// at their configured API addresses (and its own API listens on its configured one), every key
    /// derived from the names; with a `state`, it keeps its overrides and observations there. The API
    /// takes `apiConnections` connections at most (by default what the descriptor limit allows).
    static func start(_ world: LiveWorld, region: String = "istanbul", source: String? = nil,
                      configuration: Configuration? = nil, peering: Bool = false,
                      adminToken: AdminToken? = nil, state: StateStore? = nil, apiConnections: Int? = nil,
                      apiIdleTimeout: Duration = .seconds(30), dnsLimits: DNSServer.TCPLimits = .init()) async throws -> RunningDirector {
        let configuration = configuration ?? world.configuration
        let director = try Director(configuration: configuration, region: region, source: source, logger: .test,
                                    credentials: peering ? .insecureLoopback(for: RegionName(region)!) : nil, state: state)
        let budget = ConnectionBudget(descriptors: DescriptorLimit.raise(), configuration: configuration)
        let bound = NIOLockedValueBox<Int?>(nil)
        let apiAddress = !peering ? MeridianCore.SocketAddress(ip: IPAddress("127.0.0.1")!, port: 0)
            : configuration.region(director.region)!.director.api
        let api = DirectorAPI.application(for: director, address: apiAddress, adminToken: adminToken,
                                          maxConnections: apiConnections ?? budget.api, idleTimeout: apiIdleTimeout) { address in
            bound.withLockedValue { $0 = address.port }
        }
        let dnsBound = NIOLockedValueBox<Int?>(nil)
        var tcp = dnsLimits
        tcp.maxConnections = min(tcp.maxConnections, budget.dnsTCP)
        let dns = DNSServer(answering: director.answering, address: MeridianCore.SocketAddress(ip: IPAddress("127.0.0.1")!, port: 0),
                            logger: .test, tcp: tcp) { port in dnsBound.withLockedValue { $0 = port } }
        let redirectBound = NIOLockedValueBox<Int?>(nil)
        let redirect = RedirectServer(answering: director.redirects, address: MeridianCore.SocketAddress(ip: IPAddress("127.0.0.1")!, port: 0),
                                      logger: .test, threads: 2, maxConnections: budget.redirect, idleTimeout: .seconds(2), headTimeout: .seconds(1)) { port in
            redirectBound.withLockedValue { $0 = port }
        }
        let group = ServiceGroup(services: [director.scheduler, SnapshotRefresher(directors: [director]), PeerExchange(director: director),
                                            dns, redirect, api],
                                 logger: .test)
        let task = Task { try await group.run() }
        guard await eventually(within: .seconds(20), { [bound, dnsBound, redirectBound].allSatisfy { $0.withLockedValue { $0 } != nil } }),
              let port = bound.withLockedValue({ $0 }), let dnsPort = dnsBound.withLockedValue({ $0 }),
              let redirectPort = redirectBound.withLockedValue({ $0 }) else {
            task.cancel()
            throw CancellationError()
        }
        return RunningDirector(director: director, apiPort: port, dnsPort: dnsPort, redirectPort: redirectPort, group: group,
                               task: task)
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// GETs a path of the API: status code and body.
    func get(_ path: String) async throws -> (status: Int, body: Data, contentType: String?) {
        let url = URL(string: "http://127.0.0.1:\(apiPort)\(path)")!
        let (data, response) = try await URLSession.shared.data(from: url)
        let http = response as! HTTPURLResponse
        return (http.statusCode, data, http.value(forHTTPHeaderField: "Content-Type"))
    }

    func status() async throws -> StatusDocument {
        try JSONDecoder().decode(StatusDocument.self, from: try await get("/v1/status").body)
    }

    func gateway(_ name: String, in status: StatusDocument) -> StatusDocument.GatewayStatusEntry? {
        status.regions.flatMap(\.gateways).first { $0.name == name }
    }

    func region(_ name: String, in status: StatusDocument) -> StatusDocument.RegionStatus? {
        status.regions.first { $0.name == name }
    }

    /// This director's own verdict for `gateway`, straight from its board.
    func verdict(_ gateway: GatewayName) -> Verdict {
        director.board.health[gateway]?.verdict ?? .unknown
    }
}
