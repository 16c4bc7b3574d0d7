import Foundation
import MeridianCore
import MeridianDNS
import MeridianServer
import Yams

/// The configuration folder the demo runs from: a copy of the one given, with TLS added when it
/// configures none: a throw-away authority (`DemoCertificates`), an HTTPS redirect listener beside
/// each director's plain one (its port + 363: 10080 gets 10443), each director's API over HTTPS with
/// a certificate of its own, and the peers verifying each other (`peer-ca-file`, `peer-client-ca`).
/// The zone is signed with a throw-away key (`dnssec: on`, the key in `dnssec-keys/`), and a
/// `delv` trust anchor file names its DS.
/// A real folder, so that SIGHUP, `meridian check --regions` and `ctl` read what the demo runs.
enum DemoFolder {
    /// What the demo runs: the folder, and the authority's certificate (`nil`: the folder given
    /// configures TLS itself, and runs as it is).
    struct Made {
        var folder: String
        var caFile: String?
        /// The zone's key folder and delv's trust anchor file (`nil`: the folder runs unsigned).
        var dnssecKeys: String?
        var trustAnchor: String?
    }

    /// The port of a director's HTTPS redirect listener, from its plain one's.
    static func redirectTLSPort(_ redirect: UInt16) -> UInt16? { redirect <= UInt16.max - 363 ? redirect + 363 : nil }

    static func make(from source: String, configuration: Configuration, under root: String) throws -> Made {
        let configures = configuration.tls != nil || configuration.peerTLS != nil
            || configuration.directors.contains { $0.endpoints.apiTLS != nil || $0.endpoints.redirectTLS != nil }
        guard !configures else { return Made(folder: source, caFile: nil) }
        let folder = root + "/configuration"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let certificates = try DemoCertificates(folder: root + "/tls")
        let signs = configuration.dnssec == nil
        let (keys, anchor) = signs ? try makeKey(for: configuration.zone, under: root) : (nil, nil)
        let hosts = configuration.services.flatMap { $0.redirect?.hosts.map(\.text) ?? [] }
        let redirect = try certificates.issue("redirect", names: hosts.isEmpty ? ["localhost"] : hosts)
        var apiFiles: [DirectorName: TLSSettings.CertificateFiles] = [:]
        for (_, director) in configuration.directors {
            // The host peers reach it at (its API address, unless `url` names another), and localhost.
            let host = director.peerURL.host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            apiFiles[director.name] = try certificates.issue(director.name.rawValue, names: host == "localhost" ? [host] : [host, "localhost"])
        }
        for file in try ConfigurationLoader.readFolder(source) {
            let name = (file.name as NSString).lastPathComponent
            let stem = (name as NSString).deletingPathExtension
            var node = try Yams.compose(yaml: file.text) ?? Node([(Node, Node)]())
            if stem == "global" {
                node["tls"] = Node([pair(redirect)])
                node["peer-ca-file"] = Node(certificates.caFile)
                node["peer-client-ca"] = Node(certificates.caFile)
                if signs { node["dnssec"] = Node("on") }
            } else if node["director"] != nil {
                let region = node["name"]?.string ?? stem
                node["director"] = secured(node["director"]!, files: DirectorName(region).flatMap { apiFiles[$0] })
            } else if let directors = node["directors"]?.mapping {
                let edited: [(Node, Node)] = directors.map { key, value in
                    (key, secured(value, files: key.string.flatMap(DirectorName.init).flatMap { apiFiles[$0] }))
                }
                node["directors"] = Node(edited)
            }
            try Yams.serialize(node: node).write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
        return Made(folder: folder, caFile: certificates.caFile, dnssecKeys: keys, trustAnchor: anchor)
    }

    /// A new key for `zone` in `root/dnssec-keys`, and a delv trust anchor file with its DS.
    private static func makeKey(for zone: DomainName, under root: String) throws -> (String, String) {
        let keys = root + "/dnssec-keys", apex = DNSName(zone.text)!
        try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let key = ZoneKey.generate(.ecdsaP256SHA256, now: .now - .seconds(60))
        try ZoneKeyFolder(path: keys).write(key, zone: apex)
        let anchor = root + "/trust-anchor.conf"
        try "trust-anchors { \(apex) static-ds \(key.keyTag) \(key.algorithm.rawValue) 2 \"\(key.dsDigestHex(owner: apex))\"; };\n"
            .write(toFile: anchor, atomically: true, encoding: .utf8)
        return (keys, anchor)
    }

    private static func pair(_ files: TLSSettings.CertificateFiles) -> Node {
        Node([(Node("certificate"), Node(files.certificate)), (Node("key"), Node(files.key))])
    }

    /// A director's entry with `redirect-tls` and `api-tls` added, and its `url`, if it gives one, on https.
    private static func secured(_ entry: Node, files: TLSSettings.CertificateFiles?) -> Node {
        var entry = entry
        if let redirect = entry["redirect"]?.string.flatMap(SocketAddress.init), let port = redirectTLSPort(redirect.port) {
            entry["redirect-tls"] = Node(SocketAddress(ip: redirect.ip, port: port).description)
        }
        if let files { entry["api-tls"] = pair(files) }
        // A URL given for the API now says https.
        if let url = entry["url"]?.string, url.hasPrefix("http://") { entry["url"] = Node("https://" + url.dropFirst("http://".count)) }
        return entry
    }
}
