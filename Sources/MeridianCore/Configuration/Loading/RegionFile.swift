/// What one region file (`istanbul.yaml`) says, read and checked key by key.
struct RegionFile {
    var file: String
    var name: Located<RegionName>?
    var location: GeoPoint?
    var weight: Double?
    var capacity: Double?
    var minHealthy: Double?
    /// The region's own `watermarks`, read over the global ones once those are known.
    var watermarks: YAMLValue?
    /// The directors, in the file's order: one named after the region for `director:`, or every
    /// entry of `directors:`.
    var directors: [DirectorEntry] = []
    var probe = ProbePatch()
    var gateways: [GatewayEntry] = []

    struct DirectorEntry {
        var name: Located<DirectorName>
        var dns: Located<SocketAddress>?
        var redirect: Located<SocketAddress>?
        var redirectTLS: Located<SocketAddress>?
        var api: Located<SocketAddress>?
        var apiTLS: TLSSettings.CertificateFiles?
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
        watermarks = reader.optional("watermarks")
        directors = Self.readDirectors(single: reader.optional("director"), several: reader.optional("directors"),
                                       region: name, in: root)
        probe = ProbePatch(reading: reader.optional("probe"))
        if let value = reader.required("gateways"), var gateways = MappingReader(value) {
            let entries = gateways.namedEntries()
            if entries.isEmpty { value.report("a region needs at least one gateway") }
            self.gateways = entries.compactMap(RegionFile.readGateway)
        }
        reader.finish()
    }

    /// `director: {...}` (one, named after the region) or `directors: {NAME: {...}, ...}`, not both.
    private static func readDirectors(single: YAMLValue?, several: YAMLValue?, region: Located<RegionName>?,
                                      in root: YAMLValue) -> [DirectorEntry] {
        switch (single, several) {
        case (let single?, nil):
            guard let region, let name = DirectorName(region.value.rawValue) else { return [] }
            return readDirector(single, name: Located(value: name, location: single.location)).map { [$0] } ?? []
        case (nil, let several?):
            guard var reader = MappingReader(several) else { return [] }
            let entries = reader.namedEntries()
            if entries.isEmpty { several.report("a region needs at least one director") }
            return entries.compactMap { key, value in
                guard let name = DirectorName(key.value) else {
                    value.log.report("'\(key.value)' is not a valid director name (\(DirectorName.rule))", at: key.location)
                    return nil
                }
                return readDirector(value, name: Located(value: name, location: key.location))
            }
        case (_?, let several?):
            several.report("give either 'director' (one, named after the region) or 'directors' (several, by name), not both")
            return []
        case (nil, nil):
            root.log.report("the file is missing 'director' (or 'directors', for several)", at: root.location)
            return []
        }
    }

    private static func readDirector(_ value: YAMLValue, name: Located<DirectorName>) -> DirectorEntry? {
        guard var reader = MappingReader(value) else { return nil }
        func socket(_ key: String, required: Bool = true) -> Located<SocketAddress>? {
            (required ? reader.required(key) : reader.optional(key)).flatMap { field in
                field.parsed(as: "a listen address (IP:PORT or [IPV6]:PORT)") { SocketAddress($0) }.map(field.located)
            }
        }
        let entry = DirectorEntry(
            name: name, dns: socket("dns"), redirect: socket("redirect"), redirectTLS: socket("redirect-tls", required: false),
            api: socket("api"), apiTLS: reader.optional("api-tls").flatMap(GlobalFile.readCertificatePair),
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
