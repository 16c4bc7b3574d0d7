import Foundation

extension Double {
    /// A figure for people: `12000` for whole numbers, else at most two decimals (`0.25`, `12.5`).
    public var formatted: String {
        if self == rounded() && abs(self) < 1e15 { return String(Int64(self)) }
        var text = String(format: "%.2f", self)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// A fraction as a whole percentage: `0.5` is `50%`.
    public var percentage: String {
        "\((self * 100).rounded().formatted)%"
    }

    /// Rounded to `places` decimal places.
    public func rounded(to places: Int) -> Double {
        var factor = 1.0
        for _ in 0..<places { factor *= 10 }
        return (self * factor).rounded() / factor
    }
}
