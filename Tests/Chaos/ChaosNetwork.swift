import Foundation
import MeridianTesting

/// The chaos test's network: a core namespace holding a bridge, and one namespace per region joined to
/// it by a veth pair, whose core end the faults cut or impair. Every address is in 10.252.0.0/24,
/// inside namespaces the test makes and removes.
struct ChaosNetwork {
    let tag: String
    let regions: [String]

    var core: String { "mc-core-\(tag)" }

    func namespace(of region: String) -> String { "mc-\(region.prefix(3))-\(tag)" }

    /// The address of `region`'s namespace (its directors, gateway and client use it).
    func address(of region: String) -> String { "10.252.0.\(11 + regions.firstIndex(of: region)!)" }

    /// The core end of `region`'s link, and the region's end.
    private func coreEnd(of region: String) -> String { "mcc\(regions.firstIndex(of: region)!)\(tag)" }
    private func regionEnd(of region: String) -> String { "mcr\(regions.firstIndex(of: region)!)\(tag)" }

    /// Network namespaces can be made here, and the clients' Python is there.
    static let canRun = NetworkNamespaces.available && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

    /// Whether this kernel has `tc netem` (else loss is made with an nftables rule, and no delay).
    static let hasNetem: Bool = {
        let name = "mc-netem-\(UInt32.random(in: 0...0xFFFF))"
        defer { _ = try? CommandRunner.run(["/usr/sbin/ip", "netns", "del", name], program: true) }
        guard (try? CommandRunner.run(["/usr/sbin/ip", "netns", "add", name], program: true))?.status == 0 else { return false }
        return (try? CommandRunner.run(["/usr/sbin/ip", "netns", "exec", name, "/usr/sbin/tc", "qdisc", "add", "dev", "lo", "root",
                                        "netem", "delay", "1ms"], program: true))?.status == 0
    }()

    /// Makes the namespaces, the bridge and the links, all up.
    static func make(regions: [String]) throws -> ChaosNetwork {
        let network = ChaosNetwork(tag: String(UInt32.random(in: 0x1000...0xFFFF), radix: 16), regions: regions)
        try network.ip("netns", "add", network.core)
        try network.ip("-n", network.core, "link", "add", "mcbr", "type", "bridge")
        try network.ip("-n", network.core, "link", "set", "mcbr", "up")
        try network.ip("-n", network.core, "link", "set", "lo", "up")
        for region in regions {
            let namespace = network.namespace(of: region)
            try network.ip("netns", "add", namespace)
            try network.ip("link", "add", network.regionEnd(of: region), "type", "veth", "peer", "name", network.coreEnd(of: region))
            try network.ip("link", "set", network.regionEnd(of: region), "netns", namespace)
            try network.ip("link", "set", network.coreEnd(of: region), "netns", network.core)
            try network.ip("-n", network.core, "link", "set", network.coreEnd(of: region), "master", "mcbr")
            try network.ip("-n", network.core, "link", "set", network.coreEnd(of: region), "up")
            try network.ip("-n", namespace, "addr", "add", "\(network.address(of: region))/24", "dev", network.regionEnd(of: region))
            try network.ip("-n", namespace, "link", "set", "lo", "up")
            try network.ip("-n", namespace, "link", "set", network.regionEnd(of: region), "up")
        }
        return network
    }

    /// Removes every namespace (their links go with them).
    func remove() {
        for namespace in regions.map(namespace(of:)) + [core] {
            _ = try? CommandRunner.run(["/usr/sbin/ip", "netns", "del", namespace], program: true)
        }
    }

    /// Cuts `region` off from the others (`cut: false` mends it).
    func partition(_ region: String, cut: Bool = true) throws {
        try ip("-n", core, "link", "set", coreEnd(of: region), cut ? "down" : "up")
    }

    /// 20 % loss and 50 ms delay both ways on `region`'s link with `tc netem`, or 20 % loss with
    /// nftables where the kernel has no netem (`impaired: false` takes it away). Returns what it did.
    @discardableResult
    func impair(_ region: String, impaired: Bool = true) throws -> String {
        let namespace = namespace(of: region), device = regionEnd(of: region)
        if Self.hasNetem {
            for (namespace, device) in [(core, coreEnd(of: region)), (namespace, device)] {
                try run(namespace, impaired ? ["/usr/sbin/tc", "qdisc", "add", "dev", device, "root", "netem", "loss", "20%", "delay", "50ms"]
                                            : ["/usr/sbin/tc", "qdisc", "del", "dev", device, "root"])
            }
            return "tc netem: 20% loss, 50 ms delay"
        }
        guard impaired else {
            try run(namespace, ["/usr/sbin/nft", "delete", "table", "inet", "chaos"])
            return "nftables rule removed"
        }
        try run(namespace, ["/usr/sbin/nft", "add", "table", "inet", "chaos"])
        for (chain, hook, match) in [("out", "postrouting", "oifname"), ("in", "prerouting", "iifname")] {
            try run(namespace, ["/usr/sbin/nft", "add", "chain", "inet", "chaos", chain, "{ type filter hook \(hook) priority 0; }"])
            try run(namespace, ["/usr/sbin/nft", "add", "rule", "inet", "chaos", chain, match, device,
                                "numgen", "random", "mod", "100", "<", "20", "drop"])
        }
        return "nftables: 20% loss both ways (this kernel has no netem, so no delay)"
    }

    /// Runs `arguments` (a program and its arguments) inside `namespace`.
    func run(_ namespace: String, _ arguments: [String]) throws {
        let result = try CommandRunner.run(["/usr/sbin/ip", "netns", "exec", namespace] + arguments, program: true)
        guard result.status == 0 else { throw ChaosError("\(arguments.joined(separator: " ")) in \(namespace): \(result.errors)") }
    }

    private func ip(_ arguments: String...) throws {
        let result = try CommandRunner.run(["/usr/sbin/ip"] + arguments, program: true)
        guard result.status == 0 else { throw ChaosError("ip \(arguments.joined(separator: " ")): \(result.errors)") }
    }
}

/// A step of the chaos test's set-up that failed.
struct ChaosError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
