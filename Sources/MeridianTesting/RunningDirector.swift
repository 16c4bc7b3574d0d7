import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MeridianCore
import MeridianServer
import ServiceLifecycle

/// A director of a `LiveWorld` running for real, as a `DirectorService`: its probes and its
/// listeners on 127.0.0.1, at ports the system picks.
public struct RunningDirector: Sendable {
    public let director: Director
    public let apiPort: Int
    public let dnsPort: Int
    public let redirectPort: Int
    /// The HTTPS redirect listener's port, when the director has one (`redirect-tls`).
    public let redirectTLSPort: Int?
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// Starts the director `director` of `region` (`nil`: its only one); with `peering`, it peers with every other director
    /// at their configured API addresses (and its own API listens on its configured one), every key
    /// derived from the names; with a `state`, it keeps its overrides and observations in its folder
    /// (and a `StateKeeper` runs). The API takes `apiConnections` connections at most (by default what
    /// the descriptor limit allows); the redirect listener runs 2 threads and closes connections idle
    /// for 2 s or 1 s slow to send a head. It does not greet its peers. `dnssecKeys` is the folder of
    /// the zone's keys, for a configuration with `dnssec:`.
    public static func start(_ world: LiveWorld, region: String = "istanbul", director: String? = nil, source: String? = nil,
                             configuration: Configuration? = nil, peering: Bool = false,
                             adminToken: AdminToken? = nil, state: StateStore? = nil, apiConnections: Int? = nil,
                             apiIdleTimeout: Duration = .seconds(30),
                             dnsLimits: DNSServer.TCPLimits = .init(), dnssecKeys: String? = nil) async throws -> RunningDirector {
        let configuration = configuration ?? world.configuration
        let budget = ConnectionBudget(descriptors: DescriptorLimit.raise(), configuration: configuration)
        var options = DirectorService.Options(region: region, director: director, source: source, logger: .test, budget: budget)
        let name = try Director.endpoints(in: configuration, region: region, director: director).endpoints.name
        options.credentials = peering ? .insecureLoopback(for: name) : nil
        options.adminToken = adminToken
        options.stateDirectory = state?.directory
        options.addresses = [.dns: DirectorService.Options.ephemeralLoopback, .redirect: DirectorService.Options.ephemeralLoopback]
        if configuration.director(name)?.endpoints.redirectTLS != nil {
            options.addresses[.redirectTLS] = DirectorService.Options.ephemeralLoopback
        }
        if !peering { options.addresses[.api] = DirectorService.Options.ephemeralLoopback }
        options.dnsTCP = dnsLimits
        options.dnsTCP.maxConnections = min(dnsLimits.maxConnections, budget.dnsTCP)
        options.redirectThreads = 2
        options.redirectIdleTimeout = .seconds(2)
        options.redirectHeadTimeout = .seconds(1)
        options.apiConnections = apiConnections ?? budget.api
        options.apiIdleTimeout = apiIdleTimeout
        options.greets = false
        options.dnssecKeys = dnssecKeys
        let service = try DirectorService(configuration: configuration, options: options)
        let group = ServiceGroup(services: [service], logger: .test)
        let task = Task { try await group.run() }
        guard await eventually(within: .seconds(20), { service.ports.count == service.addresses.count }),
              let apiPort = service.ports[.api], let dnsPort = service.ports[.dns], let redirectPort = service.ports[.redirect] else {
            task.cancel()
            throw CancellationError()
        }
        return RunningDirector(director: service.director, apiPort: apiPort, dnsPort: dnsPort, redirectPort: redirectPort,
                               redirectTLSPort: service.ports[.redirectTLS], group: group, task: task)
    }

    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// GETs a path of the API: status code and body.
    public func get(_ path: String) async throws -> (status: Int, body: Data, contentType: String?) {
        let url = URL(string: "http://127.0.0.1:\(apiPort)\(path)")!
        let (data, response) = try await URLSession.shared.data(from: url)
        let http = response as! HTTPURLResponse
        return (http.statusCode, data, http.value(forHTTPHeaderField: "Content-Type"))
    }

    /// The director's `/v1/status`, decoded.
    public func status() async throws -> StatusDocument {
        try JSONDecoder().decode(StatusDocument.self, from: try await get("/v1/status").body)
    }

    public func gateway(_ name: String, in status: StatusDocument) -> StatusDocument.GatewayStatusEntry? {
        status.regions.flatMap(\.gateways).first { $0.name == name }
    }

    public func region(_ name: String, in status: StatusDocument) -> StatusDocument.RegionStatus? {
        status.regions.first { $0.name == name }
    }

    /// This director's own verdict for `gateway`, straight from its board.
    public func verdict(_ gateway: GatewayName) -> Verdict {
        director.board.health[gateway]?.verdict ?? .unknown
    }
}
