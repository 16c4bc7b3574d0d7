import Foundation
import MeridianCore
import NIOCore

/// Stand-in gateways on 127.0.0.1 (ephemeral ports) and a configuration whose gateways probe them:
/// the world the server tests and the failover benchmark run directors in. Its directors are
/// configured on 127.0.0.1, DNS at port 15000 + n, redirects at 16000 + n and the API at 17000 + n
/// for the n-th region (below the system's ephemeral range, so no outgoing connection takes them).
public struct LiveWorld: Sendable {
    public var configuration: Configuration
    public var gateways: [GatewayName: StandInGateway]

    public static let istanbul = GeoPoint(latitude: 41.0082, longitude: 28.9784)!
    public static let ankara = GeoPoint(latitude: 39.9334, longitude: 32.8597)!
    public static let izmir = GeoPoint(latitude: 38.4237, longitude: 27.1428)!

    /// Two regions (three with `withIzmir`) with `perRegion` stand-in gateways each, probed with `probe` settings.
    /// `sharingGateways` more Istanbul gateways probe the first Istanbul stand-in (for large answers);
    /// the service answers with up to `maxAnswers` addresses and brings a site that comes back in as `failback` says.
    public static func start(perRegion: Int = 2, interval: Duration = .milliseconds(200), timeout: Duration = .milliseconds(100),
                      rise: Int = 2, fall: Int = 2, kind: ProbeSettings.Kind = .http,
                      bodyContains: String? = nil, sharingGateways: Int = 0, maxAnswers: Int = 4,
                      withIzmir: Bool = false, failback: Failback = .standard) async throws -> LiveWorld {
        var standIns: [GatewayName: StandInGateway] = [:]
        var regions: [Region] = []
        let places = [("istanbul", istanbul), ("ankara", ankara)] + (withIzmir ? [("izmir", izmir)] : [])
        for (index, (name, point)) in places.enumerated() {
            let region = RegionName(name)!
            var gateways: [Gateway] = []
            for number in 1...perRegion {
                let gatewayName = GatewayName("\(name.prefix(3))-\(number)")!
                let standIn = try await StandInGateway.start(
                    name: gatewayName.rawValue, listen: try .init(ipAddress: "127.0.0.1", port: 0))
                standIns[gatewayName] = standIn
                let probe = ProbeSettings(kind: kind, targetHost: "127.0.0.1", targetPort: UInt16(standIn.address.port!),
                                          bodyContains: bodyContains, interval: interval, timeout: timeout,
                                          rise: rise, fall: fall)
                gateways.append(Gateway(name: gatewayName, region: region,
                                        address: IPAddress("127.0.\(index + 1).\(number)")!, probe: probe))
            }
            if index == 0 {
                for extra in 0..<sharingGateways {
                    gateways.append(Gateway(name: GatewayName("ist-shared-\(extra)")!, region: region,
                                            address: IPAddress("127.0.9.\(extra + 1)")!, probe: gateways[0].probe))
                }
            }
            regions.append(Region(name: region, location: point, director: DirectorEndpoints(
                name: DirectorName(name)!, dns: SocketAddress("127.0.0.1:\(15000 + index)")!, redirect: SocketAddress("127.0.0.1:\(16000 + index)")!,
                api: SocketAddress("127.0.0.1:\(17000 + index)")!), gateways: gateways))
        }
        let names = regions.map(\.name)
        let service = Service(name: "api", fqdn: DomainName("api.example.test")!, ttl: 10, maxAnswers: maxAnswers,
                              regions: names, weights: Dictionary(uniqueKeysWithValues: names.map { ($0, 1.0) }),
                              failback: failback)
        let configuration = Configuration(zone: DomainName("example.test")!, regions: regions, services: [service],
                                          networks: [
                                              ClientNetwork(name: "istanbul-metro", prefixes: [try IPPrefix.parse("10.34.0.0/16").get()],
                                                            location: NamedLocation(region: "istanbul", point: istanbul), load: 100),
                                              ClientNetwork(name: "ankara-metro", prefixes: [try IPPrefix.parse("10.6.0.0/16").get()],
                                                            location: NamedLocation(region: "ankara", point: ankara), load: 100),
                                          ])
        return LiveWorld(configuration: configuration, gateways: standIns)
    }

    public func stop() async {
        for gateway in gateways.values { await gateway.stop() }
    }

    public func gateway(_ name: GatewayName) -> Gateway {
        configuration.gateways.first { $0.name == name }!
    }
}
