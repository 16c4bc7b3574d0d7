import AsyncHTTPClient
import NIOSSL
import Foundation
import MeridianCore
import NIOCore
import NIOHTTP1

/// How a new director gets the configuration from a running one (`meridian serve --join URL`): a
/// `GET /v1/peer/configuration` signed with the new director's key (which the running one's
/// configuration must name), answered with the folder's files, signed in turn by the running
/// director. The new director takes the folder only when the answer's signature is right for the key
/// that the folder itself names for the sender, the folder names the new director's own key, and
/// (with `expecting`) the sender's key is the one the operator gave.
public enum ConfigurationJoin {
    /// The path of the endpoint.
    public static let path = "/v1/peer/configuration"

    /// The configuration folder's files, as a peer sends them.
    public struct Folder: Codable, Sendable {
        public var fingerprint: String
        /// Base names and texts.
        public var files: [File]

        public struct File: Codable, Sendable {
            public var name: String
            public var text: String
        }
    }

    /// Why joining failed.
    public struct JoinError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The folder `director` answers with, signed by it for `asker` in reply to the request signed
    /// `request`: the running release's files, or without one the folder it started from.
    static func answer(_ director: Director, authentication: PeerAuthentication, to asker: DirectorName,
                       inReplyTo request: String) throws -> (body: Data, headers: [(String, String)])? {
        let loaded = director.loadedConfiguration
        let files: [ConfigurationRelease.File]
        if let running = loaded.release, let release = director.releases.store.release(running.serial), release.announcement == running {
            files = release.files
        } else {
            guard let source = loaded.source, let read = try? ConfigurationLoader.readFolder(source) else { return nil }
            files = ConfigurationRelease.files(of: read)
        }
        let folder = Folder(fingerprint: loaded.configuration.fingerprint, files: files.map { Folder.File(name: $0.name, text: $0.text) })
        let body = try JSONEncoder().encode(folder)
        let envelope = PeerAuthentication.Envelope(method: "GET", path: path, from: director.name, to: asker)
        return (body, authentication.sign(body, envelope, at: .now, inReplyTo: request))
    }

    /// Kept release `serial` as `director` answers with it (`?serial=N`), signed by it for `asker`
    /// in reply to the request signed `request`; `nil` when it keeps none with that serial.
    static func answer(release serial: UInt64, _ director: Director, authentication: PeerAuthentication, to asker: DirectorName,
                       inReplyTo request: String) throws -> (body: Data, headers: [(String, String)])? {
        guard let release = director.releases.store.release(serial) else { return nil }
        let body = try JSONEncoder().encode(release)
        let envelope = PeerAuthentication.Envelope(method: "GET", path: ReleaseFetch.path(serial: serial), from: director.name, to: asker)
        return (body, authentication.sign(body, envelope, at: .now, inReplyTo: request))
    }

    /// The answer to the join request: its body and headers, or why there is none.
    private static func fetch(_ request: HTTPClientRequest, url: String,
                              with client: HTTPClient) async -> Result<(Data, HTTPHeaders), JoinError> {
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            let body = Data(buffer: try await response.body.collect(upTo: 16 << 20))
            guard response.status == .ok else {
                return .failure(JoinError(description: "\(url) answered \(response.status.code): \(String(decoding: body, as: UTF8.self))"))
            }
            return .success((body, response.headers))
        } catch {
            return .failure(JoinError(description: "cannot reach \(url): \(error)"))
        }
    }

    /// Fetches the configuration from the director at `url` as the director `director` of `region`
    /// (`nil`: the one named after the region, as a region's only director is), checks the answer's signature, and writes the files into `directory` (which must not hold a
    /// configuration yet). `expecting` is the answering director's public key, when the operator
    /// gave it. An `https://` URL is reached with `tls` (`nil`: the system's authorities, no client
    /// certificate). Returns the fingerprint.
    public static func join(_ url: String, region: String, director: String? = nil, credentials: PeerCredentials,
                            expecting: DirectorKey? = nil, tls: TLSConfiguration? = nil,
                            into directory: String) async throws(JoinError) -> String {
        guard let regionName = RegionName(region) else { throw JoinError(description: "'\(region)' is not a region name") }
        guard let name = DirectorName(director ?? region) else {
            throw JoinError(description: "'\(director ?? region)' is not a director name")
        }
        let authentication = PeerAuthentication(credentials: credentials)
        var request = HTTPClientRequest(url: url + path)
        let signature = authentication.sign(Data(), .init(method: "GET", path: path, from: name, to: nil), at: .now)
        for (header, value) in signature { request.headers.add(name: header, value: value) }
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.tlsConfiguration = tls
        let client = tls == nil ? HTTPClient.shared : HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        let fetched = await fetch(request, url: url, with: client)
        if tls != nil { try? await client.shutdown() }
        let (body, headers) = try fetched.get()
        guard let folder = try? JSONDecoder().decode(Folder.self, from: body), !folder.files.isEmpty else {
            throw JoinError(description: "\(url) sent no configuration")
        }
        let files = folder.files.map { ConfigurationLoader.SourceFile(name: $0.name, text: $0.text) }
        let configuration: Configuration
        do {
            configuration = try ConfigurationLoader.load(files: files)
        } catch {
            throw JoinError(description: "the configuration from \(url) does not load: \(error)")
        }
        guard configuration.region(regionName) != nil else { throw JoinError(description: "the configuration from \(url) has no region '\(region)'") }
        guard let mine = configuration.director(name), mine.region == regionName else {
            throw JoinError(description: "the configuration from \(url) has no director '\(name)' in region \(region)")
        }
        let signed = PeerAuthentication.UncheckedHeaders(headers)
        let known = Set(signed.sender.flatMap(DirectorName.init).map { [$0] } ?? []).subtracting([name])
        let verified = authentication.verify(body, signed, method: "GET", path: path, receiver: name, known: known, configuration: configuration,
                                             now: .now, inReplyTo: PeerAuthentication.signature(in: signature))
        guard case .success(let answerer) = verified else {
            throw JoinError(description: "\(url)'s answer is not signed with the key its configuration names for it")
        }
        if credentials.keyring == .configured {
            guard mine.endpoints.key == credentials.key.publicKey else {
                throw JoinError(description: "the configuration from \(url) does not name this director's key for \(name)")
            }
        }
        if let expecting, configuration.director(answerer)?.endpoints.key != expecting {
            throw JoinError(description: "\(url) answered as \(answerer), whose key is not the one given (--join-key)")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for file in folder.files {
                guard !file.name.contains("/"), !file.name.hasPrefix(".") else { throw JoinError(description: "bad file name \(file.name)") }
                try Data(file.text.utf8).write(to: URL(fileURLWithPath: directory).appendingPathComponent(file.name), options: .atomic)
            }
        } catch let error as JoinError {
            throw error
        } catch {
            throw JoinError(description: "cannot write \(directory): \(error.localizedDescription)")
        }
        return folder.fingerprint
    }
}
