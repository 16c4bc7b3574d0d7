import Foundation

/// Whether tests can make network namespaces here: root, `ip`, and a namespace actually made and
/// removed (a container may forbid it). Tests that need them are skipped, with the reason, elsewhere.
public enum NetworkNamespaces {
    public static let available: Bool = {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") else { return false }
        let name = "meridian-probe-\(UInt32.random(in: 0...0xFFFF))"
        guard (try? CommandRunner.run(["/usr/sbin/ip", "netns", "add", name], program: true))?.status == 0 else { return false }
        _ = try? CommandRunner.run(["/usr/sbin/ip", "netns", "del", name], program: true)
        return true
    }()
}
