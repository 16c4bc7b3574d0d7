/// The records of a GeoIP database grouped by the decision they get, so that answers stay prebuilt
/// per group however large the database is.
///
/// Steering looks at a client's point only through the order of the regions by distance (nearest
/// first, with the regions whose rounded distances tie marked: the policies break those ties by
/// score). Records with the same order get the same decision from every policy, whatever the
/// assessment, so one group per distinct order is exact. There are at most `regions!` orders, times
/// 2^(regions - 1) tie patterns (24 for three regions; the GeoLite2 City data of 2018 makes 17 of
/// them for the shipped three), and far fewer occur than can; past `maximumGroups` only the
/// nearest regions are ordered, fewer until the groups fit, and a client whose nearest regions
/// are all out is then steered as its group's representative is.
public struct GeoPlaces: Sendable {
    public let database: GeoDatabase
    /// A record standing for each group, in group order.
    public let representatives: [GeoRecord]
    /// How many of the nearest regions the groups order (all of them unless `maximumGroups` bound it).
    public let orderedRegions: Int
    /// The records' data offsets, sorted, and the group of each.
    private let offsets: [UInt32]
    private let groups: [UInt16]

    public static let maximumGroups = 1024

    /// Groups every record of `database` that has a point by the order of `regions` from it.
    public init(database: GeoDatabase, regions: [Region]) throws(GeoDatabaseError) {
        var distinct = Set<UInt32>()
        try database.forEachRecordOffset { distinct.insert($0) }
        let records = distinct.sorted().compactMap(database.point(at:))
        var depth = regions.count
        var grouping = GeoPlaces.group(records, regions: regions, depth: depth)
        while grouping.representatives.count > GeoPlaces.maximumGroups, depth > 1 {
            depth -= 1
            grouping = GeoPlaces.group(records, regions: regions, depth: depth)
        }
        self.database = database
        orderedRegions = depth
        representatives = grouping.representatives.map {
            database.record(at: $0.offset) ?? GeoRecord(offset: $0.offset, point: $0.point)
        }
        offsets = records.map(\.offset)
        groups = grouping.groups
    }

    /// The groups of the database `configuration` names, for its regions; `nil` when it names none.
    public init?(_ configuration: Configuration) throws(GeoDatabaseError) {
        guard let settings = configuration.geoIP else { return nil }
        try self.init(database: GeoDatabase(path: settings.database), regions: configuration.regions)
    }

    /// How many groups there are.
    public var count: Int { representatives.count }

    /// The group of the client at `address`, or `nil` when the database does not place it.
    @inline(__always)
    public func group(for address: IPAddress) -> Int? {
        guard let offset = database.recordOffset(of: address) else { return nil }
        var low = 0, high = offsets.count
        while low < high {
            let middle = (low + high) / 2
            if offsets[middle] < offset { low = middle + 1 } else { high = middle }
        }
        return low < offsets.count && offsets[low] == offset ? Int(groups[low]) : nil
    }

    /// The order of `regions` by distance from `point`, as far as it can change a decision.
    struct RegionOrder: Hashable {
        var nearest: [Int]
        /// For each position of `nearest` but the last, whether the next region's rounded distance ties.
        var tiedWithNext: [Bool]

        init(from point: GeoPoint, regions: [Region], depth: Int) {
            let distances = regions.map { point.distance(to: $0.location) }
            let order = distances.indices.sorted { (distances[$0], $0) < (distances[$1], $1) }.prefix(depth)
            nearest = Array(order)
            tiedWithNext = zip(order, order.dropFirst()).map { distances[$0].rounded() == distances[$1].rounded() }
        }
    }

    private static func group(_ records: [(offset: UInt32, point: GeoPoint)], regions: [Region],
                              depth: Int) -> (representatives: [(offset: UInt32, point: GeoPoint)], groups: [UInt16]) {
        var known: [RegionOrder: UInt16] = [:]
        var representatives: [(offset: UInt32, point: GeoPoint)] = []
        var groups: [UInt16] = []
        groups.reserveCapacity(records.count)
        for record in records {
            let order = RegionOrder(from: record.point, regions: regions, depth: depth)
            if let group = known[order] {
                groups.append(group)
            } else if representatives.count < GeoPlaces.maximumGroups || depth == 1 {
                let group = UInt16(representatives.count)
                known[order] = group
                representatives.append(record)
                groups.append(group)
            } else {
                // Over the bound at this depth: the caller orders fewer regions and groups again
                // (at depth 1 there are at most as many groups as regions).
                return (representatives + [record], [])
            }
        }
        return (representatives, groups)
    }
}
