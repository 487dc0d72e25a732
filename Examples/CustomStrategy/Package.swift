// swift-tools-version: 6.2
//
// A distribution strategy written outside Cairn: `local_sgd`, in a library that imports only CairnCore, a small
// trainer that registers it, and a test that runs Cairn's conformance kit on it. See README.md.

import PackageDescription

/// The same language settings as Cairn's own targets.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

let package = Package(
    name: "CustomStrategy",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Cairn", path: "../.."),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // The strategy: CairnCore only, as every third-party strategy.
        .target(
            name: "LocalSGD",
            dependencies: [.product(name: "CairnCore", package: "Cairn")],
            swiftSettings: strictSettings
        ),
        // A trainer that offers Cairn's built-in strategies plus local_sgd.
        .executableTarget(
            name: "local-sgd-train",
            dependencies: [
                "LocalSGD", .product(name: "Cairn", package: "Cairn"), .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/local-sgd-train",
            swiftSettings: strictSettings
        ),
        // The proof: Cairn's strategy laws.
        .testTarget(
            name: "LocalSGDTests",
            dependencies: [
                "LocalSGD", .product(name: "CairnCore", package: "Cairn"),
                .product(name: "CairnConformance", package: "Cairn"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
