import MeridianCore
import MeridianDNS
import NIOCore

/// Feeds every input to the decoder and, as a query, to the responder over both transports.
/// Whatever decodes must encode and decode again. Any trap is a finding. (`world` is FuzzWorld.swift's.)
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
            let limit = transport == .udp ? DNSResponder.maximumUDPPayload : DNSResponder.maximumTCPMessage
            precondition(response.bytes.readableBytes <= limit, "a response longer than its transport carries")
        }
    }
    return 0
}

/// The entry point SwiftPM links for this target (FuzzDriver.swift).
@_cdecl("DNSFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv)
}
