import Foundation

/// A point on the Earth's surface in degrees (WGS 84), with latitude in -90...90 and longitude in
/// -180...180.
public struct GeoPoint: Hashable, Sendable, Codable, CustomStringConvertible {
    public let latitude: Double
    public let longitude: Double

    /// The mean Earth radius (IUGG), in kilometres.
    public static let earthRadiusKilometres = 6371.0088

    /// Creates a point; `nil` when either coordinate is out of range or not finite.
    public init?(latitude: Double, longitude: Double) {
        guard latitude.isFinite, longitude.isFinite,
              (-90...90).contains(latitude), (-180...180).contains(longitude) else { return nil }
        self.latitude = latitude
        self.longitude = longitude
    }

    /// The great-circle distance to `other` in kilometres (haversine formula).
    public func distance(to other: GeoPoint) -> Double {
        let phi1 = latitude * .pi / 180, phi2 = other.latitude * .pi / 180
        let deltaPhi = phi2 - phi1
        let deltaLambda = (other.longitude - longitude) * .pi / 180
        let a = sin(deltaPhi / 2) * sin(deltaPhi / 2)
            + cos(phi1) * cos(phi2) * sin(deltaLambda / 2) * sin(deltaLambda / 2)
        return 2 * GeoPoint.earthRadiusKilometres * asin(min(1, a.squareRoot()))
    }

    public var description: String {
        let lat = String(format: "%.4f%@", abs(latitude), latitude >= 0 ? "N" : "S")
        let lon = String(format: "%.4f%@", abs(longitude), longitude >= 0 ? "E" : "W")
        return "\(lat) \(lon)"
    }
}
