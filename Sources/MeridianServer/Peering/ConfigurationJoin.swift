import AsyncHTTPClient
import Foundation
import MeridianCore
import NIOCore
import NIOHTTP1

/// How a new director gets the configuration from a running one (`meridian serve --join URL`): a
/// signed `GET /v1/peer/configuration`, answered with the folder's files, signed in turn, so that
/// neither side takes anything from someone without the shared secret.
public enum ConfigurationJoin {
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

    /// The folder `director` answers with, signed by it in reply to the request signed `request`.
    static func answer(_ director: Director, authentication: PeerAuthentication,
                       inReplyTo request: String) throws -> (body: Data, headers: [(String, String)])? {
        guard let source = director.loadedConfiguration.source,
              let files = try? ConfigurationLoader.readFolder(source) else { return nil }
        let folder = Folder(fingerprint: director.configuration.fingerprint,
                            files: files.map { Folder.File(name: ($0.name as NSString).lastPathComponent, text: $0.text) })
        let body = try JSONEncoder().encode(folder)
        return (body, authentication.sign(body, from: director.region, at: .now, inReplyTo: request))
    }

    /// Fetches the configuration from the director at `url` as the director of `region`, checks the
    /// answer's signature, and writes the files into `directory` (which must not hold a
    /// configuration yet). Returns the fingerprint.
    public static func join(_ url: String, region: String, secret: PeerSecret, into directory: String) async throws(JoinError) -> String {
        guard let name = RegionName(region) else { throw JoinError(description: "'\(region)' is not a region name") }
        let authentication = PeerAuthentication(secret: secret)
        var request = HTTPClientRequest(url: url + "/v1/peer/configuration")
        let signature = authentication.sign(Data(), from: name, at: .now)
        for (header, value) in signature { request.headers.add(name: header, value: value) }
        let body: Data
        let headers: HTTPHeaders
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            body = Data(buffer: try await response.body.collect(upTo: 16 << 20))
            headers = response.headers
            guard response.status == .ok else {
                throw JoinError(description: "\(url) answered \(response.status.code): \(String(decoding: body, as: UTF8.self))")
            }
        } catch let error as JoinError {
            throw error
        } catch {
            throw JoinError(description: "cannot reach \(url): \(error)")
        }
        let sender = headers.first(name: PeerAuthentication.Header.sender)
        let verified = authentication.verify(body, sender: sender, timestamp: headers.first(name: PeerAuthentication.Header.timestamp),
                                             signature: headers.first(name: PeerAuthentication.Header.signature),
                                             known: Set(sender.flatMap(RegionName.init).map { [$0] } ?? []), now: .now,
                                             inReplyTo: PeerAuthentication.signature(in: signature))
        guard case .success = verified else { throw JoinError(description: "\(url)'s answer is not signed with the peer secret") }
        guard let folder = try? JSONDecoder().decode(Folder.self, from: body), !folder.files.isEmpty else {
            throw JoinError(description: "\(url) sent no configuration")
        }
        let files = folder.files.map { ConfigurationLoader.SourceFile(name: $0.name, text: $0.text) }
        do {
            let configuration = try ConfigurationLoader.load(files: files)
            guard configuration.region(name) != nil else { throw JoinError(description: "the configuration from \(url) has no region '\(region)'") }
        } catch let error as JoinError {
            throw error
        } catch {
            throw JoinError(description: "the configuration from \(url) does not load: \(error)")
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
