import MeridianCore

/// How many connections a listener holds at once, in all and from one client: a value that admits
/// and releases connections, tested without sockets. One client is an IPv4 address or an IPv6 /64
/// (what one host usually controls), so a single host cannot take every connection.
struct ConnectionQuota: Sendable {
    let total: Int
    let perClient: Int
    private(set) var open = 0
    private var byClient: [IPAddress: Int] = [:]

    init(total: Int, perClient: Int) {
        self.total = total
        self.perClient = perClient
    }

    /// Whether a connection from `client` may open now; when it may, it is counted until `release`.
    mutating func admit(_ client: IPAddress) -> Bool {
        let key = Self.key(client)
        let current = byClient[key, default: 0]
        guard open < total, current < perClient else { return false }
        open += 1
        byClient[key] = current + 1
        return true
    }

    /// Forgets an admitted connection of `client`.
    mutating func release(_ client: IPAddress) {
        let key = Self.key(client)
        guard let current = byClient[key], current > 0 else { return }
        open -= 1
        byClient[key] = current == 1 ? nil : current - 1
    }

    /// Connections held by `client` now.
    func connections(of client: IPAddress) -> Int { byClient[Self.key(client), default: 0] }

    private static func key(_ address: IPAddress) -> IPAddress {
        address.family == .v6 ? IPPrefix(masking: address, length: 64).address : address
    }
}
