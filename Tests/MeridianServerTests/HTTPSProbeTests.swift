import Foundation
import MeridianCore
import MeridianTesting
import NIOCore
import NIOPosix
import NIOSSL
import Testing
@testable import MeridianServer

/// HTTPS probes against a stand-in gateway serving TLS with a certificate made for the test.
struct HTTPSProbeTests {
    /// A self-signed certificate for `gateway.test` only, made with openssl. (NIOSSL also accepts a
    /// certificate naming the connected IP address, so the test certificate names none.)
    private static func makeCertificate() throws -> (certificate: String, key: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let certificate = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate,
                             "-days", "1", "-subj", "/CN=gateway.test",
                             "-addext", "subjectAltName=DNS:gateway.test"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CancellationError() }
        return (certificate, key)
    }

    private func probe(_ settings: ProbeSettings, tls: NIOSSLContext) async throws -> ProbeAttempt {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let gateway = Gateway(name: "tls-1", region: "istanbul", address: IPAddress("127.0.3.1")!, probe: settings)
        let prober = GatewayProber(gateway: gateway, eventLoop: loop, tlsContext: tls)
        let promise = loop.makePromise(of: ProbeAttempt.self)
        loop.execute { prober.probe { promise.succeed($0) } }
        let attempt = try await promise.futureResult.get()
        loop.execute { prober.shutdown() }
        return attempt
    }

    private func clientContext(verify: Bool, caFile: String?) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if !verify { configuration.certificateVerification = .none }
        if let caFile { configuration.trustRoots = .file(caFile) }
        return try NIOSSLContext(configuration: configuration)
    }

    @Test func verificationIsOnByDefaultAndACAFileOrAnOptOutLetsAPrivateCertificateThrough() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else {
            Issue.record("openssl is needed to make a test certificate")
            return
        }
        let (certificate, key) = try Self.makeCertificate()
        let server = try NIOSSLContext(configuration: .makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))))
        let standIn = try await StandInGateway.start(name: "tls-1", listen: try .init(ipAddress: "127.0.0.1", port: 0), tls: server)
        let settings = ProbeSettings(kind: .https, targetHost: "127.0.0.1", targetPort: UInt16(standIn.address.port!),
                                     hostHeader: "gateway.test", timeout: .seconds(2))

        let trusted = try await probe(settings, tls: try clientContext(verify: true, caFile: certificate))
        #expect(trusted.outcome.succeeded, "\(trusted.outcome.error ?? "")")
        let untrusted = try await probe(settings, tls: try clientContext(verify: true, caFile: nil))
        #expect(!untrusted.outcome.succeeded)
        let optedOut = try await probe(settings, tls: try clientContext(verify: false, caFile: nil))
        #expect(optedOut.outcome.succeeded)
        var wrongName = settings
        wrongName.hostHeader = "other.test"
        #expect(!(try await probe(wrongName, tls: try clientContext(verify: true, caFile: certificate))).outcome.succeeded)
        await standIn.stop()
    }
}
