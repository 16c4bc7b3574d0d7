/// What one region file (`istanbul.yaml`) says, read and checked key by key.
struct RegionFile {
    var file: String
    var name: Located<RegionName>?
    var location: GeoPoint?
    var weight: Double?
    var capacity: Double?
    var minHealthy: Double?
    var director: DirectorEntry?
    var probe = ProbePatch()
    var gateways: [GatewayEntry] = []

    struct DirectorEntry {
        var dns: Located<SocketAddress>?
        var redirect: Located<SocketAddress>?
        var api: Located<SocketAddress>?
        var peerURL: BaseURL?
        var key: DirectorKey?
    }

    struct GatewayEntry {
        var name: Located<GatewayName>
        var address: IPAddress?
        var probe: ProbePatch
    }

    /// Reads a region file; the region's name defaults to the file's name without `.yaml`.
    init(reading root: YAMLValue, fileStem: String) {
        file = root.file
        guard var reader = MappingReader(root) else { return }
        if let field = reader.optional("name") {
            if let name = field.parsed(as: "a valid region name (\(RegionName.rule))", { RegionName($0) }) {
                if name.rawValue != fileStem {
                    field.report("the region is named '\(name)' but its file is '\(fileStem).yaml'; "
                                 + "name the file after the region")
                }
                self.name = field.located(name)
            }
        } else if let name = RegionName(fileStem) {
            self.name = Located(value: name, location: root.location)
        } else {
            root.log.report("the file name '\(fileStem)' is not a valid region name (\(RegionName.rule))",
                            at: root.location)
        }
        location = reader.required("location")?.coordinates()
        weight = reader.optional("weight")?.number(in: 0...1_000_000)
        capacity = reader.optional("capacity")?.number(in: 0...1e12)
        minHealthy = reader.optional("min-healthy")?.fraction()
        director = reader.required("director").flatMap(RegionFile.readDirector)
        probe = ProbePatch(reading: reader.optional("probe"))
        if let value = reader.required("gateways"), var gateways = MappingReader(value) {
            let entries = gateways.namedEntries()
            if entries.isEmpty { value.report("a region needs at least one gateway") }
            self.gateways = entries.compactMap(RegionFile.readGateway)
        }
        reader.finish()
    }

    private static func readDirector(_ value: YAMLValue) -> DirectorEntry? {
        guard var reader = MappingReader(value) else { return nil }
        func socket(_ key: String) -> Located<SocketAddress>? {
            reader.required(key).flatMap { field in
                field.parsed(as: "a listen address (IP:PORT or [IPV6]:PORT)") { SocketAddress($0) }.map(field.located)
            }
        }
        let entry = DirectorEntry(
            dns: socket("dns"), redirect: socket("redirect"), api: socket("api"),
            peerURL: reader.optional("url")?.parsed(as: "an absolute http(s) URL") { BaseURL($0) },
            key: reader.optional("key")?.parsed(as: "an Ed25519 public key (ed25519:BASE64 of 32 bytes, as `meridian keygen` prints it)") {
                DirectorKey($0)
            })
        reader.finish()
        return entry
    }

    private static func readGateway(key: Located<String>, value: YAMLValue) -> GatewayEntry? {
        let name = GatewayName(key.value)
        if name == nil { value.log.report("'\(key.value)' is not a valid gateway name (\(GatewayName.rule))", at: key.location) }
        guard var reader = MappingReader(value) else { return nil }
        let address = reader.required("address")?.parsed(as: "an IP address") { IPAddress($0) }
        let probe = ProbePatch(reading: reader.optional("probe"))
        reader.finish()
        guard let name else { return nil }
        return GatewayEntry(name: Located(value: name, location: key.location), address: address, probe: probe)
    }
}
