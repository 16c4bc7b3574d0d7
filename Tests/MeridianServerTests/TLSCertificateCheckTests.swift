import Foundation
import MeridianCore
import MeridianTesting
import Testing
@testable import MeridianServer

/// `meridian check` on the certificates of `tls:`, made by a throw-away authority.
struct TLSCertificateCheckTests {
    @Test("a key of another certificate, a redirect host no certificate covers, an expired and a soon expiring certificate are found, each where it is named")
    func findings() async throws {
        let authority = try TestCertificates.make()
        defer { authority.remove() }
        let go = try authority.issue("go", names: ["go.example.test"], days: 5)
        let www = try authority.issue("www", names: ["www.example.test"])
        var world = try await RedirectTests.world()
        defer { Task { [world] in await world.stop() } }
        let here = SourceLocation(file: "cfg/global.yaml", line: 40)
        world.configuration.tls = TLSSettings(certificates: [.init(certificate: go.certificate, key: go.key, location: here)])
        let soon = TLSCertificateCheck.findings(world.configuration)
        #expect(soon.count == 1 && !soon[0].isError && soon[0].location == here && soon[0].message.contains("expires in 4 days"),
                "\(soon)")
        let later = TLSCertificateCheck.findings(world.configuration, now: Date().addingTimeInterval(6 * 86_400))
        #expect(later.count == 1 && later[0].isError && later[0].message.contains("expired on"), "\(later)")

        world.configuration.services[0].redirect?.hosts.append(DomainName("www.example.test")!)
        let uncovered = TLSCertificateCheck.findings(world.configuration).filter(\.isError)
        #expect(uncovered.map(\.message) == ["redirect host www.example.test of service 'api' is covered by no certificate in 'tls'"])
        world.configuration.tls?.certificates.append(.init(certificate: www.certificate, key: www.key))
        #expect(TLSCertificateCheck.findings(world.configuration).allSatisfy { !$0.isError }, "both hosts covered")

        let other = SourceLocation(file: "cfg/global.yaml", line: 41)
        world.configuration.tls?.certificates[1] = .init(certificate: www.certificate, key: go.key, location: other)
        let mismatched = TLSCertificateCheck.findings(world.configuration).filter(\.isError)
        #expect(mismatched.count == 1 && mismatched[0].location == other && mismatched[0].message.contains("does not match"), "\(mismatched)")
    }

    @Test("a director's API certificate must cover its URL's host; the peers' authority files must be readable")
    func apiCertificates() async throws {
        let authority = try TestCertificates.make()
        defer { authority.remove() }
        let loopback = try authority.issue("loopback", names: ["127.0.0.1"])
        let named = try authority.issue("named", names: ["ist.example.test"])
        var world = try await RedirectTests.world()
        defer { Task { [world] in await world.stop() } }
        let here = SourceLocation(file: "cfg/istanbul.yaml", line: 7)
        let istanbul = try #require(world.configuration.regions.firstIndex { $0.name == "istanbul" })
        let endpoints = world.configuration.regions[istanbul].director
        func director(_ pair: TestCertificates.Pair) -> DirectorEndpoints {
            DirectorEndpoints(name: endpoints.name, dns: endpoints.dns, redirect: endpoints.redirect, api: endpoints.api,
                              apiTLS: .init(certificate: pair.certificate, key: pair.key, location: here))
        }
        world.configuration.regions[istanbul].director = director(loopback)
        world.configuration.peerTLS = PeerTLSSettings(caFile: authority.caFile, clientCAFile: authority.caFile)
        #expect(TLSCertificateCheck.findings(world.configuration).isEmpty, "the address \(endpoints.api.ip) is covered")
        world.configuration.regions[istanbul].director = director(named)
        let uncovered = TLSCertificateCheck.findings(world.configuration)
        #expect(uncovered.count == 1 && uncovered[0].isError && uncovered[0].location == here
                && uncovered[0].message.contains("does not cover \(endpoints.api.ip)"), "\(uncovered)")
        world.configuration.regions[istanbul].director = director(loopback)
        world.configuration.peerTLS?.clientCAFile = "/nonexistent/ca.pem"
        let unreadable = TLSCertificateCheck.findings(world.configuration)
        #expect(unreadable.count == 1 && unreadable[0].message.hasPrefix("/nonexistent/ca.pem: "), "\(unreadable)")
    }
}
