import CMaxMindDB
import Foundation

/// What a GeoIP database says of one of its records: where its clients are and what the place is called.
public struct GeoRecord: Hashable, Sendable, CustomStringConvertible {
    /// Where the record's data starts in the database: the same for every network that shares it.
    public var offset: UInt32
    public var point: GeoPoint
    /// The city's English name, when the record has one.
    public var city: String?
    /// The ISO 3166 country code, when the record has one.
    public var country: String?
    /// How far off the point may be, in kilometres (City databases); `nil` for a country's point.
    public var accuracyKilometres: Int?

    public init(offset: UInt32, point: GeoPoint, city: String? = nil, country: String? = nil, accuracyKilometres: Int? = nil) {
        self.offset = offset
        self.point = point
        self.city = city
        self.country = country
        self.accuracyKilometres = accuracyKilometres
    }

    public var description: String {
        let place = [city, country].compactMap { $0 }.joined(separator: ", ")
        let accuracy = accuracyKilometres.map { " (accuracy \($0) km)" } ?? (city == nil ? " (the country's point)" : "")
        return (place.isEmpty ? point.description : place) + accuracy
    }
}

/// Why a GeoIP database cannot be used.
public struct GeoDatabaseError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}

/// A MaxMind database (GeoIP2 / GeoLite2 City or Country, or any mmdb whose records carry a
/// `location` or a `country`), memory-mapped and read through libmaxminddb.
///
/// Reading is safe from many threads at once (libmaxminddb keeps no state per lookup); the mapping
/// lives as long as this object. What is mapped is a private copy of the file in memory (a memfd),
/// so that a file rewritten in place (`cp` over it) can neither change nor truncate the database in
/// use under a lookup: a truncated mapping would end the process with SIGBUS.
public final class GeoDatabase: @unchecked Sendable {
    public let path: String
    /// The database's `database_type` (say `GeoLite2-City`).
    public let type: String
    /// When the database was built (its `build_epoch`).
    public let built: Date
    private let handle: UnsafeMutablePointer<MMDB_s>

    public init(path: String) throws(GeoDatabaseError) {
        let copy = try GeoDatabase.privateCopy(of: path)
        defer { close(copy) }
        handle = .allocate(capacity: 1)
        let status = MMDB_open("/proc/self/fd/\(copy)", UInt32(MMDB_MODE_MMAP), handle)
        guard status == MMDB_SUCCESS else {
            handle.deallocate()
            throw GeoDatabaseError(path: path, reason: String(cString: MMDB_strerror(status)))
        }
        self.path = path
        type = handle.pointee.metadata.database_type.map { String(cString: $0) } ?? "unknown"
        built = Date(timeIntervalSince1970: TimeInterval(handle.pointee.metadata.build_epoch))
        guard handle.pointee.metadata.node_count > 0 else {
            MMDB_close(handle)
            handle.deallocate()
            throw GeoDatabaseError(path: path, reason: "the database has no search tree")
        }
    }

    /// Copies the file at `path` into a new memfd and returns its descriptor.
    private static func privateCopy(of path: String) throws(GeoDatabaseError) -> Int32 {
        let source = open(path, O_RDONLY | O_CLOEXEC)
        guard source >= 0 else { throw GeoDatabaseError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(source) }
        let copy = meridian_memfd_create("meridian-geoip")
        guard copy >= 0 else { throw GeoDatabaseError(path: path, reason: "memfd_create: \(String(cString: strerror(errno)))") }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if count == 0 { return copy }
            let written = count > 0 ? buffer.withUnsafeBytes { write(copy, $0.baseAddress, count) } : -1
            guard count > 0, written == count else {
                let reason = String(cString: strerror(errno))
                close(copy)
                throw GeoDatabaseError(path: path, reason: "cannot be copied: \(reason)")
            }
        }
    }

    deinit {
        MMDB_close(handle)
        handle.deallocate()
    }

    /// The number of nodes of the search tree.
    public var nodeCount: UInt32 { handle.pointee.metadata.node_count }

    /// The data offset of the record that holds `address`, or `nil` when the database has none.
    @inline(__always)
    public func recordOffset(of address: IPAddress) -> UInt32? {
        var error: Int32 = 0
        let result: MMDB_lookup_result_s = withSocketAddress(address) { socketAddress in
            MMDB_lookup_sockaddr(handle, socketAddress, &error)
        }
        guard error == MMDB_SUCCESS, result.found_entry else { return nil }
        return result.entry.offset
    }

    /// The record that holds `address`, or `nil` when the database has none or it has no location.
    public func record(for address: IPAddress) -> GeoRecord? {
        recordOffset(of: address).flatMap(record(at:))
    }

    /// The record whose data starts at `offset`: its `location` (latitude and longitude) or else its
    /// country's point; `nil` when it has neither or its data cannot be read.
    public func record(at offset: UInt32) -> GeoRecord? {
        guard let (point, fromLocation) = located(at: offset) else { return nil }
        let country = self.country(at: offset)
        guard fromLocation else { return GeoRecord(offset: offset, point: point, country: country) }
        return GeoRecord(offset: offset, point: point, city: string(at: offset, "city", "names", "en"), country: country,
                         accuracyKilometres: integer(at: offset, "location", "accuracy_radius"))
    }

    /// Where the record at `offset` places its clients (its location, else its country's point), or `nil`.
    public func point(at offset: UInt32) -> (offset: UInt32, point: GeoPoint)? {
        located(at: offset).map { (offset, $0.point) }
    }

    /// The record's point and whether it is its own `location` (else its country's point).
    private func located(at offset: UInt32) -> (point: GeoPoint, fromLocation: Bool)? {
        if let latitude = double(at: offset, "location", "latitude"), let longitude = double(at: offset, "location", "longitude"),
           let point = GeoPoint(latitude: latitude, longitude: longitude) {
            return (point, true)
        }
        return country(at: offset).flatMap(CountryPoints.point).map { ($0, false) }
    }

    private func country(at offset: UInt32) -> String? {
        string(at: offset, "country", "iso_code") ?? string(at: offset, "registered_country", "iso_code")
    }

    /// Calls `body` with the data offset of every record the search tree points at (an offset may
    /// come more than once: many networks share a record). Stops at the first node that cannot be read.
    public func forEachRecordOffset(_ body: (UInt32) -> Void) throws(GeoDatabaseError) {
        var node = MMDB_search_node_s()
        for number in 0..<nodeCount {
            guard MMDB_read_node(handle, number, &node) == MMDB_SUCCESS else {
                throw GeoDatabaseError(path: path, reason: "search tree node \(number) cannot be read")
            }
            if node.left_record_type == MMDB_RECORD_TYPE_DATA { body(node.left_record_entry.offset) }
            if node.right_record_type == MMDB_RECORD_TYPE_DATA { body(node.right_record_entry.offset) }
            if node.left_record_type == MMDB_RECORD_TYPE_INVALID || node.right_record_type == MMDB_RECORD_TYPE_INVALID {
                throw GeoDatabaseError(path: path, reason: "search tree node \(number) points outside the database")
            }
        }
    }

    private func value(at offset: UInt32, _ path: [String]) -> MMDB_entry_data_s? {
        var entry = MMDB_entry_s(mmdb: handle, offset: offset)
        var data = MMDB_entry_data_s()
        let strings = path.map { strdup($0) }
        defer { strings.forEach { free($0) } }
        var pointers: [UnsafePointer<CChar>?] = strings.map { UnsafePointer($0) } + [nil]
        let status = pointers.withUnsafeMutableBufferPointer { MMDB_aget_value(&entry, &data, $0.baseAddress) }
        return status == MMDB_SUCCESS && data.has_data ? data : nil
    }

    private func double(at offset: UInt32, _ path: String...) -> Double? {
        guard let data = value(at: offset, path) else { return nil }
        switch Int32(data.type) {
        case MMDB_DATA_TYPE_DOUBLE: return data.double_value
        case MMDB_DATA_TYPE_FLOAT: return Double(data.float_value)
        default: return nil
        }
    }

    private func integer(at offset: UInt32, _ path: String...) -> Int? {
        guard let data = value(at: offset, path) else { return nil }
        switch Int32(data.type) {
        case MMDB_DATA_TYPE_UINT16: return Int(data.uint16)
        case MMDB_DATA_TYPE_UINT32: return Int(data.uint32)
        case MMDB_DATA_TYPE_INT32: return Int(data.int32)
        default: return nil
        }
    }

    private func string(at offset: UInt32, _ path: String...) -> String? {
        guard let data = value(at: offset, path), Int32(data.type) == MMDB_DATA_TYPE_UTF8_STRING,
              let start = data.utf8_string else { return nil }
        let bytes = UnsafeRawBufferPointer(start: start, count: Int(data.data_size))
        return String(validating: bytes, as: UTF8.self)
    }

    private func withSocketAddress<Result>(_ address: IPAddress, _ body: (UnsafePointer<sockaddr>) -> Result) -> Result {
        switch address.unmapped {
        case .v4(let bits):
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_addr.s_addr = bits.bigEndian
            return withUnsafePointer(to: &socketAddress) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
        case .v6(let bits):
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            withUnsafeMutableBytes(of: &socketAddress.sin6_addr) { raw in
                withUnsafeBytes(of: bits.bigEndian) { raw.copyMemory(from: $0) }
            }
            return withUnsafePointer(to: &socketAddress) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
        }
    }
}
