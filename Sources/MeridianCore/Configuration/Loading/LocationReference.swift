/// A location as the configuration writes it: a region's name (`istanbul`) or coordinates
/// (`{lat: 38.42, lon: 27.14}`).
enum LocationReference {
    case region(RegionName)
    case point(GeoPoint)
}

extension YAMLValue {
    /// Reads `{lat: …, lon: …}`.
    func coordinates() -> GeoPoint? {
        guard var reader = MappingReader(self) else { return nil }
        let latitude = reader.required("lat")?.number(in: -90...90)
        let longitude = reader.required("lon")?.number(in: -180...180)
        reader.finish()
        guard let latitude, let longitude else { return nil }
        return GeoPoint(latitude: latitude, longitude: longitude)
    }

    /// Reads a region name or coordinates.
    func locationReference() -> Located<LocationReference>? {
        if case .scalar = node {
            return parsed(as: "a region name or {lat: …, lon: …}") { RegionName($0) }
                .map { located(.region($0)) }
        }
        return coordinates().map { located(.point($0)) }
    }
}
