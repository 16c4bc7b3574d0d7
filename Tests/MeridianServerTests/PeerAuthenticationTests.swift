import Foundation
import Logging
import MeridianCore
import MeridianTesting
import NIOConcurrencyHelpers
import Testing
@testable import MeridianServer

@Suite("Peer authentication")
struct PeerAuthenticationTests {
    static let keys: [DirectorName: DirectorSigningKey] = ["istanbul": .generate(), "ankara": .generate(), "izmir": .generate()]
    /// Istanbul and Ankara, each naming its director's key; Izmir names none.
    static let configuration: Configuration = {
        func region(_ name: RegionName, port: Int, octet: Int, keyed: Bool = true) -> ConfigurationLoader.SourceFile {
            let key = keyed ? "  key: \(keys[DirectorName(name.rawValue)!]!.publicKey)\n" : ""
            return .init(name: "cfg/\(name).yaml", text: """
                location: {lat: 41.0, lon: 29.0}
                director:
                  dns: 127.0.0.1:\(port)
                  redirect: 127.0.0.1:\(port + 1)
                  api: 127.0.0.1:\(port + 2)
                \(key)gateways:
                  \(name.rawValue.prefix(3))-1: {address: 127.0.\(octet).1}
                """)
        }
        let global = ConfigurationLoader.SourceFile(name: "cfg/global.yaml", text: """
            zone: example.test
            probe: {port: 18080}
            services:
              api: {ttl: 10s}
            networks:
              istanbul-metro: {cidr: 10.34.0.0/16, location: istanbul}
            """)
        return try! ConfigurationLoader.load(files: [global, region("istanbul", port: 10053, octet: 1), region("ankara", port: 20053, octet: 2),
                                                     region("izmir", port: 30053, octet: 3, keyed: false)])
    }()

    let body = Data(#"{"from":"ankara"}"#.utf8)
    let now = Timestamp(secondsSinceEpoch: 1_800_000_000)
    let known: Set<DirectorName> = ["ankara", "izmir"]

    static func authentication(_ region: DirectorName, key: DirectorSigningKey? = nil) -> PeerAuthentication {
        PeerAuthentication(credentials: PeerCredentials(key: key ?? keys[region]!, keyring: .configured))
    }

    func push(_ body: Data? = nil, from sender: DirectorName = "ankara", to receiver: DirectorName = "istanbul", path: String = "/v1/peer/report",
              at time: Timestamp, key: DirectorSigningKey? = nil) -> [(String, String)] {
        Self.authentication(sender, key: key ?? Self.keys[sender]).sign(body ?? self.body, .init(method: "POST", path: path, from: sender, to: receiver),
                                                                         at: time)
    }

    func verify(_ authentication: PeerAuthentication, _ headers: [(String, String)], body: Data? = nil,
                inReplyTo request: String? = nil) -> Result<DirectorName, PeerAuthentication.Refusal> {
        let values = Dictionary(uniqueKeysWithValues: headers)
        return authentication.verify(body ?? self.body, .init { values[$0] }, method: "POST", path: "/v1/peer/report",
                                     receiver: "istanbul", known: known, configuration: Self.configuration, now: now, inReplyTo: request)
    }

    @Test("a signed message is accepted once; a replay, a forgery, a stale or unsigned one is refused")
    func rules() {
        let receiver = Self.authentication("istanbul")
        let headers = push(at: now)
        #expect(verify(receiver, headers) == .success("ankara"))
        #expect(verify(receiver, headers) == .failure(.replayed))
        #expect(verify(receiver, push(at: now + .milliseconds(1))) == .success("ankara"))
        #expect(verify(receiver, push(at: now + .seconds(2)), body: Data("{}".utf8)) == .failure(.badSignature))
        #expect(verify(receiver, push(at: now + .seconds(3), key: .generate())) == .failure(.badSignature), "another key")
        #expect(verify(receiver, push(at: now - .seconds(60))) == .failure(.stale))
        #expect(verify(receiver, push(from: "izmir", at: now + .seconds(4), key: .generate())) == .failure(.unknownPeer), "no key named")
        #expect(verify(receiver, []) == .failure(.unsigned))
        #expect(verify(receiver, push(to: "izmir", at: now + .seconds(5))) == .failure(.badSignature), "signed for another receiver")
        #expect(verify(receiver, push(path: "/v1/peer/configuration", at: now + .seconds(6))) == .failure(.badSignature))
        var short = push(at: now + .seconds(7))
        short[2].1 = String(short[2].1.dropLast(2))
        #expect(verify(receiver, short) == .failure(.badSignature))
    }

    @Test("a message signed with one director's key but naming another sender is refused")
    func impersonation() {
        let receiver = Self.authentication("istanbul")
        // Izmir's director would speak for Ankara's: its own key, Ankara's name.
        var forged = push(at: now, key: Self.keys["izmir"])
        #expect(forged[0].1 == "ankara")
        #expect(verify(receiver, forged) == .failure(.badSignature))
        forged = push(from: "izmir", at: now + .milliseconds(1), key: Self.keys["izmir"])
        forged[0].1 = "ankara"
        #expect(verify(receiver, forged) == .failure(.badSignature))
        #expect(verify(receiver, push(at: now + .milliseconds(2))) == .success("ankara"), "Ankara's own message still counts")
    }

    @Test("the replay marks carry over to a new instance, as the state folder keeps them")
    func marksCarryOver() {
        let receiver = Self.authentication("istanbul")
        let captured = push(at: now)
        #expect(verify(receiver, captured) == .success("ankara"))
        let restarted = PeerAuthentication(credentials: PeerCredentials(key: Self.keys["istanbul"]!, keyring: .configured), marks: receiver.marks,
                                           at: now)
        #expect(verify(restarted, captured) == .failure(.replayed))
        #expect(verify(Self.authentication("istanbul"), captured) == .success("ankara"), "without the marks it would pass")
        let poisoned = PeerAuthentication(credentials: PeerCredentials(key: Self.keys["istanbul"]!, keyring: .configured),
                                          marks: ["ankara": .max], at: now)
        #expect(verify(poisoned, push(at: now + .milliseconds(5))) == .success("ankara"), "a mark from the far future is dropped")
    }

    @Test("an answer is bound to the request it answers and leaves the replay mark alone")
    func replies() {
        let asker = Self.authentication("istanbul")
        let peer = Self.authentication("ankara")
        let toAnkara = PeerAuthentication.Envelope(method: "POST", path: "/v1/peer/report", from: "istanbul", to: "ankara")
        let request = PeerAuthentication.signature(in: asker.sign(Data(), toAnkara, at: now))!
        let other = PeerAuthentication.signature(in: asker.sign(Data(), toAnkara, at: now + .milliseconds(1)))!
        // The peer pushed a report of its own at now + 2 ms, and answers the request at now + 3 ms.
        let pushed = push(at: now + .milliseconds(2))
        let answer = peer.sign(body, .init(method: "POST", path: "/v1/peer/report", from: "ankara", to: "istanbul"),
                               at: now + .milliseconds(3), inReplyTo: request)
        #expect(verify(asker, answer, inReplyTo: other) == .failure(.badSignature), "an answer to another request")
        #expect(verify(asker, answer) == .failure(.badSignature), "an answer passed off as a push")
        #expect(verify(asker, answer, inReplyTo: request) == .success("ankara"))
        #expect(verify(asker, pushed) == .success("ankara"), "the push signed before the answer still counts")
    }

    @Test("keys derived from a name are alike everywhere; a key comes from its file (0600) or the environment")
    func keys() throws {
        #expect(DirectorSigningKey.insecureLoopback(for: "istanbul").publicKey == DirectorSigningKey.insecureLoopback(for: "istanbul").publicKey)
        #expect(DirectorSigningKey.insecureLoopback(for: "istanbul").publicKey != DirectorSigningKey.insecureLoopback(for: "ankara").publicKey)
        let key = DirectorSigningKey.generate()
        #expect(DirectorSigningKey(fileText: key.fileText)?.publicKey == key.publicKey)
        #expect(DirectorSigningKey(fileText: "ed25519-private:AAAA") == nil)
        #expect(try DirectorSigningKey.load(file: nil, environment: [:]) == nil)
        #expect(try DirectorSigningKey.load(file: nil, environment: [DirectorSigningKey.environmentVariable: key.fileText])?.publicKey == key.publicKey)
        #expect(throws: SecretLoadError.self) { try DirectorSigningKey.load(file: nil, environment: [DirectorSigningKey.environmentVariable: "x"]) }
        #expect(throws: SecretLoadError.self) { try DirectorSigningKey.load(file: "/nonexistent/key", environment: [:]) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-key-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try key.write(to: path)
        #expect(try DirectorSigningKey.load(file: path)?.publicKey == key.publicKey)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(throws: SecretLoadError.self) { try DirectorSigningKey.generate().write(to: path) }
    }
}

@Suite("Peer refusals")
struct PeerRefusalTests {
    /// Counts the messages logged through it.
    struct CountingLogHandler: LogHandler {
        let count: NIOLockedValueBox<Int>
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        func log(event: LogEvent) {
            count.withLockedValue { $0 += 1 }
        }

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
    }

    @Test("every refusal is counted; each sender's are logged at most once a minute")
    func countedAndLoggedOnceAMinute() {
        let logged = NIOLockedValueBox(0)
        let logger = Logger(label: "test") { _ in CountingLogHandler(count: logged) }
        let peering = Peering(credentials: .insecureLoopback(for: "istanbul"))
        let now = Timestamp(secondsSinceEpoch: 1_800_000_000)
        for second in 0..<59 {
            peering.refused("bad-time", from: "ankara", detail: "", at: now + .seconds(Int64(second)), logger: logger)
        }
        #expect(logged.withLockedValue { $0 } == 1)
        peering.refused("unknown-peer", from: nil, detail: "", at: now, logger: logger)
        #expect(logged.withLockedValue { $0 } == 2, "another sender is logged apart")
        peering.refused("bad-time", from: "ankara", detail: "", at: now + .seconds(60), logger: logger)
        #expect(logged.withLockedValue { $0 } == 3, "a minute later, again")
        #expect(peering.refusalCounts["bad-time"] == 60 && peering.refusalCounts["unknown-peer"] == 1)
    }
}
