import Foundation

/// MaxMind databases for tests, written by PyPI's `mmdb-writer` (`.ci/run` installs it) with the
/// `python3` on the path.
public enum TestGeoDatabase {
    /// A network of a test database and what its record says.
    public struct Entry: Sendable {
        public var network: String
        public var city: String?
        public var country: String?
        /// Latitude and longitude; `nil`: a Country-style record without a location.
        public var location: (latitude: Double, longitude: Double)?
        public var accuracyKilometres: Int?

        public init(_ network: String, city: String? = nil, country: String? = nil,
                    location: (latitude: Double, longitude: Double)? = nil, accuracyKilometres: Int? = nil) {
            self.network = network
            self.city = city
            self.country = country
            self.location = location
            self.accuracyKilometres = accuracyKilometres
        }
    }

    public struct WriterError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Writes a GeoIP2-City-shaped IPv6 database (IPv4 networks reachable as in MaxMind's own) to a new
    /// file in a temporary folder, and returns its path.
    public static func write(_ entries: [Entry], type: String = "GeoIP2-City") throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-geo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("test.mmdb").path
        var lines = [
            "from mmdb_writer import MMDBWriter",
            "from netaddr import IPSet",
            "w = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type=\(quoted(type)), languages=['en'], description='meridian test')",
        ]
        for entry in entries {
            var record: [String] = []
            if let city = entry.city { record.append("'city': {'names': {'en': \(quoted(city))}}") }
            if let country = entry.country { record.append("'country': {'iso_code': \(quoted(country))}") }
            if let location = entry.location {
                let accuracy = entry.accuracyKilometres.map { ", 'accuracy_radius': \($0)" } ?? ""
                record.append("'location': {'latitude': \(location.latitude), 'longitude': \(location.longitude)\(accuracy)}")
            }
            lines.append("w.insert_network(IPSet([\(quoted(entry.network))]), {\(record.joined(separator: ", "))})")
        }
        lines.append("w.to_db_file(\(quoted(path)))")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-"]
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(lines.joined(separator: "\n").utf8))
        try input.fileHandleForWriting.close()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw WriterError(description: "mmdb-writer failed (python3 -m pip install mmdb-writer; .ci/run does): "
                              + String(decoding: message, as: UTF8.self))
        }
        return path
    }

    /// The GeoLite2 City database that PyPI's maxminddb-geolite2 ships (real data of 2018).
    public static func geoLite2City() throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import _maxminddb_geolite2, os; print(os.path.join(os.path.dirname(_maxminddb_geolite2.__file__), 'GeoLite2-City.mmdb'))"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: path) else {
            throw WriterError(description: "maxminddb-geolite2 is not installed (python3 -m pip install maxminddb-geolite2; .ci/run does)")
        }
        return path
    }

    private static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}
