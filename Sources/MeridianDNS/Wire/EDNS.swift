import MeridianCore

/// EDNS(0) as carried by the OPT pseudo-record (RFC 6891), with the client subnet option
/// (RFC 7871) and the name server identifier option (NSID, RFC 5001). Other options are ignored.
public struct EDNS: Hashable, Sendable {
    /// The largest UDP response the sender can take (values under 512 mean 512).
    public var udpPayloadSize: UInt16
    /// The upper eight bits of the 12-bit response code.
    public var extendedResponseCode: UInt8
    public var version: UInt8
    /// The DNSSEC OK bit.
    public var dnssecOK: Bool
    /// The Compact Answers OK bit (RFC 9824): the client takes NXDOMAIN with a compact denial.
    public var compactOK = false
    public var clientSubnet: ClientSubnet?
    /// The NSID option: in a query, present (and empty) when the client asks which server answers;
    /// in a response, the server's identifier.
    public var nsid: [UInt8]?

    public init(udpPayloadSize: UInt16 = 1232, extendedResponseCode: UInt8 = 0, version: UInt8 = 0,
                dnssecOK: Bool = false, clientSubnet: ClientSubnet? = nil, nsid: [UInt8]? = nil) {
        self.udpPayloadSize = udpPayloadSize
        self.extendedResponseCode = extendedResponseCode
        self.version = version
        self.dnssecOK = dnssecOK
        self.clientSubnet = clientSubnet
        self.nsid = nsid
    }

    /// The option code of EDNS client subnet.
    public static let clientSubnetOption: UInt16 = 8
    /// The option code of NSID.
    public static let nsidOption: UInt16 = 3
}

/// The EDNS client subnet option: the part of the client's address a resolver reveals, and (in a
/// response) how much of it the answer depends on.
public struct ClientSubnet: Hashable, Sendable {
    /// The revealed address, with every bit past `sourcePrefixLength` zero.
    public var address: IPAddress
    public var sourcePrefixLength: UInt8
    public var scopePrefixLength: UInt8

    public init(address: IPAddress, sourcePrefixLength: UInt8, scopePrefixLength: UInt8 = 0) {
        self.address = address
        self.sourcePrefixLength = sourcePrefixLength
        self.scopePrefixLength = scopePrefixLength
    }

    /// The address family number RFC 7871 uses (1 IPv4, 2 IPv6).
    var familyNumber: UInt16 { address.family == .v4 ? 1 : 2 }
}
