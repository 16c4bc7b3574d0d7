import MeridianCore

/// A fleet for the benchmarks: `directors` directors in regions of two (one more for an odd count),
/// `gateways` gateways spread evenly over the regions, every listener on 127.0.0.1, probe settings that flip a verdict on one outcome
/// (rise 1, fall 1), and one service. Director `n`'s API is at 127.0.0.1:(`apiPorts` + n); its DNS
/// and redirect addresses are placeholders (the benchmark binds ports the system picks).
enum FleetConfiguration {
    static func make(directors directorCount: Int, gateways gatewayCount: Int, apiPorts: Int = 27000) -> Configuration {
        let regionCount = max(directorCount / 2, 1)
        let probe = ProbeSettings(targetHost: "127.0.0.1", targetPort: 9, rise: 1, fall: 1)
        let regions = (0..<regionCount).map { index in
            let name = RegionName("region-\(index)")!
            let mates = index == regionCount - 1 ? directorCount - 2 * (regionCount - 1) : min(2, directorCount)
            let directors = (0..<mates).map { mate in
                let number = 2 * index + mate
                return DirectorEndpoints(name: DirectorName("director-\(number)")!, dns: SocketAddress("127.0.0.1:1")!,
                                         redirect: SocketAddress("127.0.0.1:2")!, api: SocketAddress("127.0.0.1:\(apiPorts + number)")!)
            }
            let gateways = stride(from: index, to: gatewayCount, by: regionCount).map { number in
                Gateway(name: GatewayName("gw-\(number)")!, region: name,
                        address: .v4(0x0A00_0000 | UInt32(number + 1)), probe: probe)
            }
            return Region(name: name, location: GeoPoint(latitude: Double(index % 80), longitude: Double(index % 170))!,
                          directors: directors, gateways: gateways)
        }
        let service = Service(name: "api", fqdn: DomainName("api.fleet.test")!, regions: regions.map(\.name), weights: [:])
        return Configuration(zone: DomainName("fleet.test")!, regions: regions, services: [service], networks: [])
    }
}
