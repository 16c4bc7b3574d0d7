import MeridianCore
import MeridianDNS
import NIOCore

/// Feeds every input as a DNS-over-TCP byte stream, cut into pieces as reads would cut it (the
/// first byte seeds the piece sizes), through the framer, and answers each message as the TCP
/// listener does: the fast path into a 65,535-byte buffer, else the responder. Every message
/// framed must be the bytes its length prefix covered, and every answer must fit a TCP frame and
/// decode. Any trap is a finding. (`world` and `fastPath` are FuzzWorld.swift's.)
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 1 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var state = UInt32(bytes[0]) | 1
    var framer = DNSStreamFramer()
    var offset = 1
    var framedBytes = 0
    let (responder, snapshot) = world
    var output = [UInt8](repeating: 0, count: DNSResponder.maximumTCPMessage)
    while offset < size {
        state = state &* 1_103_515_245 &+ 12_345
        let piece = min(size - offset, Int(state >> 16) % 700 + 1)
        framer.append(ByteBuffer(bytes: bytes[offset..<offset + piece]))
        offset += piece
        while let message = framer.next() {
            framedBytes += 2 + message.readableBytes
            let length = message.withUnsafeReadableBytes { query in
                output.withUnsafeMutableBytes { fastPath.answer(query, from: .v4(0x0A22_0001), over: .tcp, into: $0)?.length }
            }
            if let length {
                precondition(length <= DNSResponder.maximumTCPMessage, "a fast answer longer than a TCP frame")
                continue
            }
            guard let response = responder.respond(to: message, from: .v4(0x0A22_0001), over: .tcp, snapshot: snapshot) else { continue }
            precondition(response.bytes.readableBytes <= DNSResponder.maximumTCPMessage, "an answer longer than a TCP frame")
            precondition((try? DNSMessage(decoding: response.bytes)) != nil, "a response that does not decode")
        }
    }
    precondition(framedBytes + framer.bufferedBytes == size - 1, "the framer lost or made up bytes")
    return 0
}

/// The entry point SwiftPM links for this target (FuzzDriver.swift).
@_cdecl("DNSStreamFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv)
}
