// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Meridian",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "meridian", targets: ["meridian"]),
        .library(name: "MeridianCore", targets: ["MeridianCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        .target(
            name: "MeridianCore",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "meridian",
            dependencies: [
                "MeridianCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "meridian-benchmarks",
            dependencies: ["MeridianCore"],
            path: "Benchmarks/MeridianBenchmarks"
        ),
        .testTarget(
            name: "MeridianCoreTests",
            dependencies: [
                "MeridianCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "MeridianCLITests",
            dependencies: ["meridian", "MeridianCore"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
