import Logging
import MeridianCore

/// How a process's file descriptors are shared out between the clients of its directors' listeners,
/// with a reserve that no client connection can take.
///
/// The rules, in order:
/// 1. The reserve is an eighth of the descriptors, and at least 128 (listeners, the UDP sockets, the
///    event loops' own descriptors, state and journal files) plus 2 for every gateway probed and every
///    peer pushed to, by every director: probes, peer pushes and state writes always find a descriptor.
/// 2. What is left is shared out evenly between the directors of the process (one for `serve`, one a
///    region in `demo`).
/// 3. A director's share goes half to the redirect listener, three eighths to DNS over TCP and an
///    eighth to the API, each within a ceiling that bounds memory when the limit is huge, and each at
///    least 1.
public struct ConnectionBudget: Sendable, Equatable, CustomStringConvertible {
    /// The descriptor limit the budget was made from.
    public var descriptors: Int
    /// The descriptors no client connection may take.
    public var reserve: Int
    /// Connection caps for each director.
    public var dnsTCP: Int
    public var redirect: Int
    public var api: Int

    static let baseReserve = 128
    static let perPeerOrGateway = 2
    static let dnsTCPCeiling = 16_384
    static let redirectCeiling = 65_536
    static let apiCeiling = 1_024
    static let countedUpTo = 1 << 30

    /// The budget for `directors` directors sharing `descriptors`, probing `gateways` gateways and
    /// pushing to `peers` peers each.
    public init(descriptors: Int, gateways: Int, peers: Int, directors: Int = 1) {
        // Counted up to 2^30 (an unlimited hard limit reads as Int.max), so no sum below can overflow.
        let descriptors = min(max(0, descriptors), Self.countedUpTo)
        let directors = min(max(1, directors), Self.countedUpTo)
        let links = min(max(0, gateways), Self.countedUpTo) + min(max(0, peers), Self.countedUpTo)
        let needed = Self.baseReserve + min(descriptors, directors * links) * Self.perPeerOrGateway
        reserve = min(descriptors, max(descriptors / 8, needed))
        self.descriptors = descriptors
        let share = (descriptors - reserve) / directors
        redirect = max(1, min(share / 2, Self.redirectCeiling))
        dnsTCP = max(1, min(share / 8 * 3, Self.dnsTCPCeiling))
        api = max(1, min(share / 8, Self.apiCeiling))
    }

    /// The caps as log metadata would show them.
    public var description: String {
        "descriptors \(descriptors), reserve \(reserve), per director: dns-tcp \(dnsTCP), redirect \(redirect), api \(api)"
    }
}

extension ConnectionBudget {
    /// The budget for `directors` directors of `configuration` in one process with `descriptors`
    /// descriptors: every director probes every gateway and streams to every other director.
    public init(descriptors: Int, configuration: Configuration, directors: Int = 1) {
        self.init(descriptors: descriptors, gateways: configuration.gateways.count,
                  peers: max(0, configuration.directors.count - 1), directors: directors)
    }

    /// The caps, for the start-up log line.
    public var metadata: Logger.Metadata {
        ["descriptors": "\(descriptors)", "reserve": "\(reserve)", "dns-tcp": "\(dnsTCP)", "redirect": "\(redirect)",
         "api": "\(api)"]
    }
}
