import ArgumentParser
import AsyncHTTPClient
import Foundation
import MeridianCore
import MeridianServer
import NIOSSL
import NIOCore

/// Which director `ctl` talks to, and how.
struct DirectorOptions: ParsableArguments {
    @Option(help: "The director's API URL (default: MERIDIAN_DIRECTOR, else the first director in --regions).")
    var director: String?

    @OptionGroup var regions: RegionsOption

    @Option(name: .customLong("ca-file"),
            help: "The CA certificates (PEM) an https:// director is verified against (default: MERIDIAN_CA_FILE, else peer-ca-file of --regions when the director comes from there, else the system's).")
    var caFile: String?

    @Flag(help: "Print the director's JSON answer as it is.")
    var json = false

    /// The director to talk to: its API base URL, and how to verify it over https.
    func target() throws -> DirectorTarget {
        let environment = ProcessInfo.processInfo.environment
        let caFile = self.caFile ?? environment["MERIDIAN_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        if let director { return try DirectorTarget(base: checked(director, from: "--director"), caFile: caFile) }
        if let fromEnvironment = environment["MERIDIAN_DIRECTOR"], !fromEnvironment.isEmpty {
            return try DirectorTarget(base: checked(fromEnvironment, from: "MERIDIAN_DIRECTOR"), caFile: caFile)
        }
        let configuration = try loadConfiguration(regions.directory)
        guard let first = configuration.regions.first else {
            printError("error: no director in \(regions.directory)")
            throw ExitCode(1)
        }
        return try DirectorTarget(base: first.director.peerURL.text, caFile: caFile ?? configuration.peerTLS?.caFile)
    }

    /// Prints a director's answer: as it is with `--json`, else as `text` writes the decoded value.
    func show<Value: Decodable>(_ data: Data, as type: Value.Type, _ text: (Value) -> String) throws {
        if json {
            FileHandle.standardOutput.write(data)
        } else {
            printNow(text(try JSONDecoder().decode(type, from: data)))
        }
    }

    private func checked(_ text: String, from source: String) throws -> String {
        guard let url = BaseURL(text) else {
            printError("error: \(source): '\(text)' is not an http(s) URL")
            throw ExitCode.validationFailure
        }
        return url.text
    }
}

/// A director's API base URL, and the TLS an https:// one is reached with.
struct DirectorTarget {
    var base: String
    var tls: TLSConfiguration?

    init(base: String, caFile: String?) throws {
        self.base = base
        guard base.hasPrefix("https://") else { return }
        do {
            tls = try APITLS.client(caFile: caFile)
        } catch {
            printError("error: --ca-file: \(error)")
            throw ExitCode(1)
        }
    }
}

/// One GET to a director's API, with the exit codes `ctl` promises.
enum DirectorConnection {
    /// A client that fails at once when the director refuses the connection, rather than retrying
    /// until the deadline (a script wants to know now).
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(3)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// The body of `GET base + path`; a director's error is printed and exits 1, an unreachable
    /// director exits 3.
    static func get(_ target: DirectorTarget, _ path: String) async throws -> Data {
        try await send(HTTPClientRequest(url: target.base + path), to: target)
    }

    /// The body of `POST base + path` with a JSON body and the admin token.
    static func post(_ target: DirectorTarget, _ path: String, json body: Data, token: String) async throws -> Data {
        var request = HTTPClientRequest(url: target.base + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.body = .bytes(ByteBuffer(data: body))
        return try await send(request, to: target)
    }

    private static func send(_ request: HTTPClientRequest, to target: DirectorTarget) async throws -> Data {
        var request = request
        request.tlsConfiguration = target.tls
        let base = target.base
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(request, timeout: .seconds(10))
            body = try await response.body.collect(upTo: 16 << 20)
        } catch {
            printError("error: cannot reach the director at \(base): \(error)")
            throw ExitCode(3)
        }
        let data = Data(buffer: body)
        guard (200..<300).contains(Int(response.status.code)) else {
            let reason = (try? JSONDecoder().decode([String: String].self, from: data))?["error"]
                ?? String(decoding: data, as: UTF8.self)
            printError("error: \(response.status.code) \(reason)")
            throw ExitCode(1)
        }
        return data
    }
}

/// The admin token `ctl` sends: `--token-file`, else `MERIDIAN_TOKEN`.
struct TokenOptions: ParsableArguments {
    @Option(name: .customLong("token-file"), help: "A file holding the admin token (default: MERIDIAN_TOKEN).")
    var tokenFile: String?

    func token() throws -> String {
        if let tokenFile {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                printError("error: cannot read the token file \(tokenFile)")
                throw ExitCode(1)
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let text = ProcessInfo.processInfo.environment["MERIDIAN_TOKEN"], !text.isEmpty else {
            printError("error: an admin token is needed: --token-file FILE or MERIDIAN_TOKEN")
            throw ExitCode(1)
        }
        return text
    }
}
