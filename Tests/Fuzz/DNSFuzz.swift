import Foundation
import MeridianCore
import MeridianDNS
import NIOCore

/// Feeds every input to the decoder and, as a query, to the responder over both transports.
/// Whatever decodes must encode and decode again. Any trap is a finding.
let world: (DNSResponder, SteeringSnapshot) = {
    let folder = ProcessInfo.processInfo.environment["MERIDIAN_REGIONS"] ?? "regions"
    let configuration = try! ConfigurationLoader.load(directory: folder)
    let now = Timestamp(secondsSinceEpoch: 1_800_000_000)
    let observations = configuration.gateways.map {
        Observation(gateway: $0.name, observer: configuration.regions[0].name, verdict: .up, at: now)
    }
    let assessment = Assessment.make(configuration, observations: observations, overrides: [],
                                     vantage: configuration.regions[0].name, now: now)
    let responder = DNSResponder(zone: AuthoritativeZone(configuration, serial: 1),
                                 options: .init(identity: "fuzz", version: "fuzz"))
    return (responder, SteeringSnapshot(assessment: assessment, locator: ClientLocator(configuration),
                                        vantage: configuration.regions.first))
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let buffer = ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size))
    if let message = try? DNSMessage(decoding: buffer) {
        let again = try? DNSMessage(decoding: message.encoded())
        precondition(again != nil, "a decoded message did not decode after encoding")
    }
    let (responder, snapshot) = world
    for transport in [DNSResponder.Transport.udp, .tcp] {
        if let response = responder.respond(to: buffer, from: .v4(0x0A22_0001), over: transport, snapshot: snapshot) {
            precondition((try? DNSMessage(decoding: response.bytes)) != nil, "a response that does not decode")
            if transport == .udp { precondition(response.bytes.readableBytes <= 1232, "an oversized UDP response") }
        }
    }
    return 0
}

/// SwiftPM links an executable target's entry point as `DNSFuzz_main`; hand control to libFuzzer's
/// driver from there.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("DNSFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
