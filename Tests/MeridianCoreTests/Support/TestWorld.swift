import MeridianCore

/// Small builders for worlds in code, so each test states only what it is about.
enum TestWorld {
    static let istanbul = GeoPoint(latitude: 41.0082, longitude: 28.9784)!
    static let ankara = GeoPoint(latitude: 39.9334, longitude: 32.8597)!
    static let izmir = GeoPoint(latitude: 38.4237, longitude: 27.1428)!
    static let trabzon = GeoPoint(latitude: 41.0027, longitude: 39.7168)!

    static let probe = ProbeSettings(targetHost: "127.0.0.1", targetPort: 18080, interval: .seconds(1),
                                     timeout: .milliseconds(500), rise: 2, fall: 2)

    /// A region with `gateways` gateways named `<name>-1`… on 127.<index>.0.<n>.
    static func region(_ name: RegionName, at location: GeoPoint, index: Int, gateways: Int = 2, weight: Double = 1,
                       capacity: Double? = nil, minHealthy: Double = 0.5, ipv6: Bool = false) -> Region {
        let members = (1...max(gateways, 1)).map { number in
            Gateway(name: GatewayName("\(name)-\(number)")!, region: name,
                    address: ipv6 && number % 2 == 0 ? IPAddress("2001:db8:\(index)::\(number)")!
                        : IPAddress("127.\(index).0.\(number)")!,
                    probe: probe)
        }
        let director = DirectorEndpoints(name: DirectorName(name.rawValue)!, dns: SocketAddress("127.0.0.1:\(10000 + index)")!,
                                         redirect: SocketAddress("127.0.0.1:\(11000 + index)")!,
                                         api: SocketAddress("127.0.0.1:\(12000 + index)")!)
        return Region(name: name, location: location, weight: weight, capacity: capacity, minHealthy: minHealthy,
                      director: director, gateways: members)
    }

    static func service(_ name: ServiceName = "api", policy: SteeringPolicy = .nearest, regions: [RegionName],
                        weights: [RegionName: Double] = [:], allDown: AllDownBehaviour = .failOpen,
                        maxAnswers: Int = 4) -> Service {
        var allWeights = weights
        for region in regions where allWeights[region] == nil { allWeights[region] = 1 }
        return Service(name: name, fqdn: DomainName("\(name).example.test")!, policy: policy, ttl: 30,
                       maxAnswers: maxAnswers, allDown: allDown, regions: regions, weights: allWeights,
                       redirect: RedirectSettings(hosts: [DomainName("go.example.test")!],
                                                  urls: Dictionary(uniqueKeysWithValues: regions.map {
                                                      ($0, BaseURL("https://\($0).example.test")!)
                                                  })))
    }

    /// Istanbul and Ankara with two gateways each, and one service per policy.
    static func turkey(istanbulGateways: Int = 2, ankaraGateways: Int = 2) -> Configuration {
        Configuration(
            zone: DomainName("example.test")!,
            regions: [region("istanbul", at: istanbul, index: 1, gateways: istanbulGateways, capacity: 15000),
                      region("ankara", at: ankara, index: 2, gateways: ankaraGateways, capacity: 20000)],
            services: SteeringPolicy.allCases.map { policy in
                service(ServiceName(policy.rawValue)!, policy: policy, regions: ["istanbul", "ankara"])
            },
            networks: [
                ClientNetwork(name: "istanbul-metro", prefixes: [prefix("10.34.0.0/16"), prefix("2001:db8:34::/48")],
                              location: NamedLocation(region: "istanbul", point: istanbul), load: 9000),
                ClientNetwork(name: "ankara-metro", prefixes: [prefix("10.6.0.0/16")],
                              location: NamedLocation(region: "ankara", point: ankara), load: 6000),
            ])
    }

    static func prefix(_ text: String) -> IPPrefix {
        try! IPPrefix.parse(text).get()
    }

    static let now = Timestamp(secondsSinceEpoch: 1_800_000_000)

    /// Every gateway of `configuration` seen by every observer: `down` for the gateways in `down`,
    /// `up` for the rest.
    static func observations(_ configuration: Configuration, down: Set<GatewayName> = [],
                             by observers: [DirectorName]? = nil, at time: Timestamp = now,
                             latency: (GatewayName, DirectorName) -> Duration? = { _, _ in nil }) -> [Observation] {
        let observers = observers ?? configuration.directors.map(\.endpoints.name)
        return configuration.gateways.flatMap { gateway in
            observers.map { observer in
                Observation(gateway: gateway.name, observer: observer,
                            verdict: down.contains(gateway.name) ? .down : .up,
                            latency: latency(gateway.name, observer), at: time)
            }
        }
    }

    static func gateways(of region: RegionName, in configuration: Configuration) -> Set<GatewayName> {
        Set(configuration.region(region)!.gateways.map(\.name))
    }

    /// Assesses from the director `vantage`, whose peers are every other director.
    static func assess(_ configuration: Configuration, observations: [Observation]? = nil,
                       overrides: [Override] = [], vantage: DirectorName? = nil, now: Timestamp = now) -> Assessment {
        Assessment.make(configuration, observations: observations ?? self.observations(configuration),
                        overrides: overrides, vantage: vantage,
                        peers: vantage.map { vantage in configuration.directors.map(\.endpoints.name).filter { $0 != vantage } } ?? [],
                        now: now)
    }

    static func client(at point: GeoPoint?) -> ClientLocation {
        ClientLocation(source: point == nil ? .unknown : .defaultLocation, point: point)
    }
}
