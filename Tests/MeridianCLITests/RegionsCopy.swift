import Foundation
import MeridianTesting

/// A copy of the shipped regions/ with free ports for every director listener.
enum RegionsCopy {
    /// The folder, and the port that replaced each of the shipped ones ("10053", "10080", ...).
    static func make() throws -> (folder: URL, ports: [String: Int]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-regions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let originals = ["10053", "10080", "10090", "10153", "10180", "10190", "20053", "20080", "20090", "30053", "30080", "30090"]
        let ports = Dictionary(uniqueKeysWithValues: zip(originals, try FreePort.take(count: originals.count)))
        for name in CommandRunner.shippedRegionFiles {
            var text = try String(contentsOf: CommandRunner.packageRoot.appendingPathComponent("regions/\(name)"), encoding: .utf8)
            for (original, port) in ports { text = text.replacingOccurrences(of: ":\(original)", with: ":\(port)") }
            try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return (folder, ports)
    }
}
