import Foundation
import MeridianServer
import MeridianTesting
import Testing

/// A real fleet under faults: 3 regions x 2 directors in network namespaces joined by veth, clients
/// asking DNS and redirects without pause in every region, and faults in turn (a director killed and
/// restarted, a region partitioned while an override is given, a lossy link, a region's gateway
/// down). The invariants are checked on every answer. Runs for `MERIDIAN_CHAOS_SECONDS` (120 by
/// default; `Tests/Chaos/run.sh MINUTES` runs longer). Needs root and `ip`; skipped elsewhere.
@Suite(.serialized)
struct ChaosTests {
    static let seconds = Double(ProcessInfo.processInfo.environment["MERIDIAN_CHAOS_SECONDS"] ?? "") ?? 120

    @Test(.enabled(if: ChaosNetwork.canRun, "needs root, ip and python3 with dnspython, and permission to make network namespaces"),
          .timeLimit(.minutes(Int(seconds / 60) + 5)))
    func aFleetUnderFaultsKeepsItsInvariants() async throws {
        let network = try ChaosNetwork.make(regions: ["istanbul", "ankara", "izmir"])
        defer { network.remove() }
        let fleet = try ChaosFleet(network: network)
        defer { fleet.stop() }
        for region in network.regions { try fleet.gateway(of: region, running: true) }
        for member in fleet.members { try fleet.startDirector(member) }
        #expect(await eventually(within: .seconds(60)) { fleet.members.allSatisfy { joined(fleet.status(of: $0)) } },
                "the fleet did not form: \(fleet.members.map { "\($0.name): \(fleet.status(of: $0).map(summary) ?? "no answer")" })")

        try fleet.startClients(for: Int(Self.seconds) + 20)
        let begin = now() + 1
        var timeline = ChaosTimeline()
        var violations: [String] = []
        let firstMemory = Dictionary(uniqueKeysWithValues: fleet.members.compactMap { member in fleet.residentKiB(of: member).map { (member.name, $0) } })
        var round = 0
        while now() < begin + Self.seconds {
            let region = network.regions[round % network.regions.count]
            switch round % 4 {
            case 0:
                let member = fleet.members[(round / 4) % fleet.members.count]
                let killed = now()
                fleet.killDirector(member)
                try await pause(3)
                try fleet.startDirector(member)
                timeline.absent[member.name, default: []].append(killed...(now() + 5))
                timeline.faults.append("SIGKILL \(member.name), restarted 3 s later")
            case 1:
                violations += try await partition(region, fleet: fleet, timeline: &timeline)
            case 2:
                let how = try network.impair(region)
                try await pause(8)
                try network.impair(region, impaired: false)
                timeline.faults.append("\(region)'s link impaired for 8 s (\(how))")
            default:
                let down = now()
                try fleet.gateway(of: region, running: false)
                try await pause(6)
                timeline.outages.append((region, down...now()))
                try fleet.gateway(of: region, running: true)
                timeline.faults.append("\(region)'s gateway down for 6 s")
            }
            try await pause(4)
            round += 1
        }
        let end = now()
        try await pause(1)

        let answers = try fleet.answers()
        let live = ChaosInvariants.everyLiveDirectorAnswers(answers, directors: fleet.members.map(\.name), timeline: timeline,
                                                             window: begin...end)
        let addresses = Dictionary(uniqueKeysWithValues: network.regions.map { ($0, Set([network.address(of: $0)])) })
        let hosts = Dictionary(uniqueKeysWithValues: network.regions.map { ($0, "\($0).api.example.test") })
        let outages = ChaosInvariants.noAnswerIntoAnOutage(answers, timeline: timeline, addresses: addresses, hosts: hosts)
        violations += live.violations + outages.violations
        for member in fleet.members {
            guard let first = firstMemory[member.name], let last = fleet.residentKiB(of: member),
                  let started = fleet.started[member.name], Date().timeIntervalSince(started) > 60 else { continue }
            if last > first * 3 / 2 + 32 * 1024 {
                violations.append("\(member.name)'s memory grew from \(first) KiB to \(last) KiB")
            }
        }
        print("chaos: \(answers.count) answers, \(live.checked) live-director seconds and \(outages.checked) answers during outages checked, "
              + "\(timeline.faults.count) faults, \(violations.count) violations")
        for fault in timeline.faults { print("chaos fault: \(fault)") }
        #expect(violations.isEmpty, "\(violations.prefix(20).joined(separator: "\n"))")
        #expect(timeline.faults.count >= 4 && answers.count > 1000, "too few faults or answers to say anything")
    }

    /// Cuts `region` off for 8 s, gives an override and a new configuration (`ctl apply`) to a
    /// director outside it meanwhile, mends the link, and checks that every director holds the same
    /// overrides and configuration release within 2 s.
    private func partition(_ region: String, fleet: ChaosFleet, timeline: inout ChaosTimeline) async throws -> [String] {
        try fleet.network.partition(region)
        try await pause(1)
        let outside = try #require(fleet.members.first { $0.region != region })
        let given = try fleet.ctl(outside, ["drain", region, "--reason", "chaos drill", "--for", "60s"])
        let edited = try fleet.editedConfiguration(ttl: 6 + timeline.faults.count % 50)
        let applied = try fleet.ctl(outside, ["apply", edited.path, "--author", "chaos"])
        try await pause(7)
        try fleet.network.partition(region, cut: false)
        timeline.faults.append("\(region) partitioned for 8 s, drained and given a new configuration meanwhile through \(outside.name)")
        var violations: [String] = []
        if given.status != 0 { violations.append("ctl drain through \(outside.name) failed: \(given.errors)") }
        if applied.status != 0 { violations.append("ctl apply through \(outside.name) failed: \(applied.errors)") }
        let agreed = await eventually(within: .seconds(2)) {
            let states = fleet.members.map { fleet.status(of: $0).map(agreement) }
            return states.allSatisfy { $0 != nil && $0 == states[0] } && (states[0]?.contains("\(region) drain") ?? false)
        }
        if !agreed { violations.append("2 s after \(region)'s partition healed, the directors' overrides or configurations differ") }
        let restored = try fleet.ctl(outside, ["restore", region])
        if restored.status != 0 { violations.append("ctl restore through \(outside.name) failed: \(restored.errors)") }
        return violations
    }
}

private func now() -> Double { Date().timeIntervalSince1970 }

/// Lets a fault last (the faults' schedule, not a wait for a condition).
private func pause(_ seconds: Double) async throws {
    try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
}

/// Whether a director has joined the fleet: ready, and hearing every peer.
private func joined(_ status: StatusDocument?) -> Bool {
    guard let status else { return false }
    return status.director.ready && status.peers.allSatisfy { $0.state == "fresh" }
}

private func summary(_ status: StatusDocument) -> String {
    "ready \(status.director.ready) (\(status.director.readiness)), peers \(status.peers.map { "\($0.director) \($0.state)" })"
}

/// What every director must agree on after a heal: its overrides and its configuration release.
private func agreement(_ status: StatusDocument) -> String {
    status.overrides.map { "\($0.target) \($0.action) \($0.setAt)" }.sorted().joined(separator: ",")
        + " | release \(status.director.configuration.serial.map(String.init) ?? "none") " + status.director.configuration.fingerprint
}
