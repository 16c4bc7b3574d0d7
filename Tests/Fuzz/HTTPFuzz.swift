import Foundation
import MeridianCore
import MeridianHTTP

/// Feeds every input to the request-head parser and, when a head comes out, to the redirect
/// responder (from a trusted proxy, so forwarding headers are read too). Any trap is a finding, and
/// so is a response that breaks the rules: a malformed head, a CR or LF inside a header line, or a
/// redirect whose Location is not on a configured host.
let world: (RedirectResponder, Set<String>) = {
    let folder = ProcessInfo.processInfo.environment["MERIDIAN_REGIONS"] ?? "regions"
    var configuration = try! ConfigurationLoader.load(directory: folder)
    configuration.trustedProxies = [try! IPPrefix.parse("127.0.0.0/8").get()]
    let now = Timestamp(secondsSinceEpoch: 1_800_000_000)
    let observations = configuration.gateways.map {
        Observation(gateway: $0.name, observer: configuration.regions[0].director.name, verdict: .up, at: now)
    }
    let assessment = Assessment.make(configuration, observations: observations, overrides: [],
                                     vantage: configuration.regions[0].director.name, now: now)
    let snapshot = SteeringSnapshot(assessment: assessment, locator: ClientLocator(configuration),
                                    vantage: configuration.regions.first)
    var hosts = Set<String>()
    for service in configuration.services {
        hosts.formUnion(service.redirect?.urls.values.map(\.host) ?? [])
        if case .fallback(let target) = service.allDown, let url = target.url { hosts.insert(url.host) }
    }
    return (RedirectResponder(snapshot: snapshot), hosts)
}()
let parser = HTTPRequestHeadParser()
let dateLine = HTTPDate.headerLine(secondsSinceEpoch: 1_800_000_000)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var output: [UInt8] = []
    switch parser.parse(bytes) {
    case .incomplete:
        return 0
    case .invalid(let error):
        _ = RedirectResponder.respond(to: error, dateLine: dateLine, into: &output)
    case .complete(let head):
        precondition(head.length <= size && head.target.upperBound <= head.length, "a head beyond its bytes")
        let (responder, _) = world
        _ = responder.respond(to: head, in: bytes, peer: .v4(0x7F00_0001), dateLine: dateLine, into: &output)
    }
    check(output)
    return 0
}

/// The rules every response keeps.
func check(_ output: [UInt8]) {
    let text = String(decoding: output, as: UTF8.self)
    precondition(text.hasPrefix("HTTP/1.1 "), "a response without a status line")
    guard let end = text.range(of: "\r\n\r\n") else { preconditionFailure("a response head without its end") }
    let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
    for line in lines { precondition(!line.contains("\r") && !line.contains("\n"), "CR or LF inside a header line") }
    let status = Int(lines[0].split(separator: " ")[1])!
    guard (300..<400).contains(status) else { return }
    let location = lines.first { $0.hasPrefix("Location: ") }.map { String($0.dropFirst(10)) }
    precondition(location != nil, "a redirect without a Location")
    let components = URLComponents(string: location!)
    precondition(components?.host.map(world.1.contains) == true && components?.user == nil, "a Location off the configured hosts")
}

/// The entry point SwiftPM links for this target (FuzzDriver.swift).
@_cdecl("HTTPFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv)
}
