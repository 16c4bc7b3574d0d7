// swift-tools-version: 6.1
import PackageDescription

// Linux only: the listeners use epoll, recvmmsg/sendmmsg and a SO_REUSEPORT BPF program (Sources/CMeridianSockets).
let package = Package(
    name: "Meridian",
    products: [
        .executable(name: "meridian", targets: ["meridian"]),
        .library(name: "MeridianCore", targets: ["MeridianCore"]),
        .library(name: "MeridianDNS", targets: ["MeridianDNS"]),
        .library(name: "MeridianHTTP", targets: ["MeridianHTTP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    ],
    targets: [
        .target(
            name: "MeridianCore",
            dependencies: ["CZlib", "CMaxMindDB", .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto")]
        ),
        // zlib for the peer exchange's frames (Debian: zlib1g-dev).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // libmaxminddb for client locations from GeoIP databases (Debian: libmaxminddb-dev).
        .systemLibrary(name: "CMaxMindDB", pkgConfig: "libmaxminddb", providers: [.apt(["libmaxminddb-dev"])]),
        // OpenSSL 3's libcrypto (Debian: libssl-dev).
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .target(
            name: "MeridianDNS",
            dependencies: [
                "MeridianCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "MeridianHTTP",
            dependencies: ["MeridianCore"]
        ),
        .target(name: "CMeridianSockets"),
        .target(
            name: "MeridianServer",
            dependencies: [
                "MeridianCore",
                "MeridianDNS",
                "MeridianHTTP",
                "CMeridianSockets",
                "COpenSSL",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "meridian",
            dependencies: [
                "MeridianCore",
                "MeridianServer",
                "MeridianTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .target(
            name: "MeridianTesting",
            dependencies: [
                "MeridianCore",
                "MeridianDNS",
                "MeridianServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "meridian-benchmarks",
            dependencies: ["MeridianCore", "MeridianDNS", "MeridianServer", "MeridianTesting"],
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
            name: "MeridianDNSTests",
            dependencies: ["MeridianDNS", "MeridianCore", "MeridianTesting"]
        ),
        .testTarget(
            name: "MeridianHTTPTests",
            dependencies: ["MeridianHTTP", "MeridianCore"]
        ),
        .testTarget(
            name: "MeridianServerTests",
            dependencies: [
                "MeridianServer", "MeridianCore", "MeridianHTTP", "MeridianTesting", "COpenSSL",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "MeridianChaosTests",
            dependencies: ["meridian", "MeridianServer", "MeridianTesting"],
            path: "Tests/Chaos",
            exclude: ["client.py", "run.sh"]
        ),
        .testTarget(
            name: "MeridianCLITests",
            dependencies: ["meridian", "MeridianCore", "MeridianDNS", "MeridianHTTP", "MeridianServer", "MeridianTesting"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
