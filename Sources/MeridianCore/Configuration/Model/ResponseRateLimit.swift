/// Response-rate limiting of DNS over UDP (RRL, as NSD and Knot do it): each client network (an
/// IPv4 /24 or an IPv6 /56 by default) gets at most `responsesPerSecond` answers in each second.
/// Past that, every `slip`th answer is sent truncated (TC, no records) so that a real resolver
/// retries over TCP, which a spoofed source cannot; the others are dropped. A forged flood so
/// reflects off a director at no more than that rate per network, and without amplification.
///
/// Answers over TCP are never limited, nor answers to the `exempt` networks.
public struct ResponseRateLimit: Hashable, Sendable {
    /// Answers per second to one client network; 0 turns limiting off.
    public var responsesPerSecond: Int
    /// Every `slip`th limited answer is truncated, the others dropped; 0 drops all, 1 truncates all.
    public var slip: Int
    /// The prefix length that makes IPv4 sources one client network.
    public var ipv4PrefixLength: Int
    /// The prefix length that makes IPv6 sources one client network.
    public var ipv6PrefixLength: Int
    /// Client networks whose answers are never limited.
    public var exempt: [IPPrefix]

    public static let defaultResponsesPerSecond = 200
    public static let responsesPerSecondRange = 0...100_000_000
    public static let slipRange = 0...10

    public init(responsesPerSecond: Int = ResponseRateLimit.defaultResponsesPerSecond, slip: Int = 2,
                ipv4PrefixLength: Int = 24, ipv6PrefixLength: Int = 56, exempt: [IPPrefix] = []) {
        self.responsesPerSecond = responsesPerSecond
        self.slip = slip
        self.ipv4PrefixLength = ipv4PrefixLength
        self.ipv6PrefixLength = ipv6PrefixLength
        self.exempt = exempt
    }

    /// Limiting switched off.
    public static let off = ResponseRateLimit(responsesPerSecond: 0)

    public var isOn: Bool { responsesPerSecond > 0 }

    /// What happens to one answer.
    public enum Action: Sendable, Equatable {
        case answer
        /// Sent truncated: header and question, TC set, no records.
        case slip
        case drop
    }

    /// The action for the `number`th answer (counting from 1) to one client network in the current
    /// second.
    public func action(forAnswer number: UInt32) -> Action {
        let allowed = UInt32(clamping: responsesPerSecond)
        guard isOn, number > allowed else { return .answer }
        guard slip > 0 else { return .drop }
        return (number - allowed) % UInt32(clamping: slip) == 0 ? .slip : .drop
    }

    /// The client network `address` is counted under, or `nil` when it is exempt.
    public func network(of address: IPAddress) -> IPPrefix? {
        guard !exempt.contains(where: { $0.contains(address) }) else { return nil }
        return IPPrefix(masking: address, length: address.family == .v4 ? ipv4PrefixLength : ipv6PrefixLength)
    }
}
