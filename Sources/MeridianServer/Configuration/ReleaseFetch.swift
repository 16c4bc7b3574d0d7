import AsyncHTTPClient
import Foundation
import MeridianCore
import NIOCore

/// The fetching side of `GET /v1/peer/configuration?serial=N`.
enum ReleaseFetch {
    /// Why a fetch failed.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The largest answer taken: every file's text escaped in JSON, and room for the rest.
    static let largestAnswer = 2 * ConfigurationRelease.largestText + (1 << 20)

    /// The path that asks for release `serial`; the signature covers it whole.
    static func path(serial: UInt64) -> String {
        ConfigurationJoin.path + "?serial=\(serial)"
    }

    /// Release `serial` from `peer`'s director at `url`: the request signed for it, the answer
    /// checked to be signed by it in reply.
    static func fetch(_ serial: UInt64, from peer: DirectorName, at url: BaseURL, peering: Peering, director: Director,
                      client: HTTPClient) async -> Result<ConfigurationRelease, Failure> {
        let path = path(serial: serial)
        var request = HTTPClientRequest(url: url.text + path)
        let signature = peering.authentication.sign(Data(), .init(method: "GET", path: path, from: director.name, to: peer), at: .now)
        for (name, value) in signature { request.headers.add(name: name, value: value) }
        let body: Data
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(10))
            body = Data(buffer: try await response.body.collect(upTo: largestAnswer))
        } catch {
            return .failure(Failure(description: "\(error)"))
        }
        guard response.status == .ok else { return .failure(Failure(description: "HTTP \(response.status.code)")) }
        let verified = peering.authentication.verify(body, .init(response.headers), method: "GET", path: path, receiver: director.name,
                                                     known: [peer], configuration: director.configuration, now: .now,
                                                     inReplyTo: PeerAuthentication.signature(in: signature))
        if case .failure(let refusal) = verified {
            peering.refused(refusal.rawValue, from: peer, detail: "configuration release", at: .now, logger: director.logger)
            return .failure(Failure(description: "answer refused: \(refusal.rawValue)"))
        }
        guard let release = try? JSONDecoder().decode(ConfigurationRelease.self, from: body) else {
            return .failure(Failure(description: "the answer is not a configuration release"))
        }
        return .success(release)
    }
}
