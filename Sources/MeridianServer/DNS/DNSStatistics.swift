import MeridianCore
import MeridianDNS
import NIOConcurrencyHelpers

/// Counts of DNS queries and answers for `/metrics`: by query type and response code, by the region a
/// steered answer chose, and by whether the query carried a client subnet.
public final class DNSStatistics: Sendable {
    private struct Counts {
        var byTypeAndCode: [String: UInt64] = [:]
        var byRegion: [String: UInt64] = [:]
        var withSubnet: UInt64 = 0
        var withoutSubnet: UInt64 = 0
    }

    private let counts = NIOLockedValueBox(Counts())

    public init() {}

    func count(type: RecordType?, code: ResponseCode, region: RegionName?, usedSubnet: Bool,
               transport: DNSResponder.Transport) {
        let key = "\(type.map(\.description) ?? "none")|\(code)|\(transport == .udp ? "udp" : "tcp")"
        counts.withLockedValue { counts in
            counts.byTypeAndCode[key, default: 0] += 1
            if let region { counts.byRegion[region.rawValue, default: 0] += 1 }
            if usedSubnet { counts.withSubnet += 1 } else { counts.withoutSubnet += 1 }
        }
    }

    /// The Prometheus text exposition of the counts.
    func exposition() -> String {
        let counts = counts.withLockedValue { $0 }
        var text = "# HELP meridian_dns_queries_total DNS queries answered, by query type, response code and transport.\n"
            + "# TYPE meridian_dns_queries_total counter\n"
        for (key, value) in counts.byTypeAndCode.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "|")
            text += "meridian_dns_queries_total{type=\"\(parts[0])\",rcode=\"\(parts[1])\",transport=\"\(parts[2])\"} \(value)\n"
        }
        text += "# HELP meridian_dns_answers_total Steered DNS answers, by chosen region.\n# TYPE meridian_dns_answers_total counter\n"
        for (region, value) in counts.byRegion.sorted(by: { $0.key < $1.key }) {
            text += "meridian_dns_answers_total{region=\"\(region)\"} \(value)\n"
        }
        text += "# HELP meridian_dns_client_subnet_total DNS queries by whether an EDNS client subnet located the client.\n"
            + "# TYPE meridian_dns_client_subnet_total counter\n"
            + "meridian_dns_client_subnet_total{used=\"true\"} \(counts.withSubnet)\n"
            + "meridian_dns_client_subnet_total{used=\"false\"} \(counts.withoutSubnet)\n"
        return text
    }
}
