// swift-tools-version: 6.2
//
// Cairn: a trainer whose runs resume exactly. See ../DESIGN.md for the module map and CONTRIBUTING.md for why
// each dependency is here.

import PackageDescription

/// Settings every Cairn target shares: Swift 6 mode with the upcoming features that keep APIs honest
/// (explicit existentials, explicit imports, internal imports unless re-exported on purpose).
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let systemPackage: Target.Dependency = .product(name: "SystemPackage", package: "swift-system")

let package = Package(
    name: "Cairn",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Cairn", targets: ["Cairn"]),
        .library(name: "CairnCore", targets: ["CairnCore"]),
        .library(name: "CairnEmbedded", targets: ["CairnEmbedded"]),
        .library(name: "CairnConformance", targets: ["CairnConformance"]),
        .executable(name: "cairn", targets: ["cairn"]),
        .plugin(name: "CairnValidate", targets: ["CairnValidate"]),
        .plugin(name: "CairnNewStrategy", targets: ["CairnNewStrategy"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // MARK: - C libraries from Debian packages
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        // No pkgConfig and no `link`: OpenBLAS is opened with dlopen after OPENBLAS_CORETYPE is chosen
        // (see Sources/CairnTensor/BLAS/BLASLibrary.swift); the module only supplies cblas.h's types.
        .systemLibrary(name: "CBLAS", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "mpich", providers: [.apt(["libmpich-dev", "mpich"])]),

        // MARK: - Protocols and value types
        .target(name: "CairnCore", swiftSettings: strictSettings),

        // MARK: - Numerics
        .target(
            name: "CairnTensor",
            dependencies: ["CairnCore", "CBLAS"],
            swiftSettings: strictSettings,
            linkerSettings: [.linkedLibrary("m"), .linkedLibrary("dl")]
        ),
        .target(name: "CairnJSON", dependencies: ["CairnCore"], swiftSettings: strictSettings),
        .target(name: "CairnSafetensors", dependencies: ["CairnCore", "CairnJSON"], swiftSettings: strictSettings),
        .target(
            name: "CairnNN",
            dependencies: ["CairnCore", "CairnTensor", "CairnSafetensors"],
            swiftSettings: strictSettings
        ),
        .target(name: "CairnOptim", dependencies: ["CairnCore", "CairnTensor"], swiftSettings: strictSettings),

        // MARK: - Configuration and data
        .target(name: "CairnConfig", dependencies: ["CairnCore", "CYAML"], swiftSettings: strictSettings),
        .target(name: "CairnData", dependencies: ["CairnCore", "CairnConfig", "CairnJSON"], swiftSettings: strictSettings),

        // MARK: - Checkpoints and ranks
        .target(
            name: "CairnCheckpoint",
            dependencies: ["CairnCore", "CairnJSON", "CairnSafetensors", "CXXHash", systemPackage],
            swiftSettings: strictSettings
        ),
        .target(name: "CairnEmbedded", dependencies: ["CairnCore"], swiftSettings: strictSettings),
        .target(name: "CairnMPI", dependencies: ["CairnCore", "CMPI"], swiftSettings: strictSettings),

        // MARK: - Strategies
        .target(name: "CairnSingle", dependencies: ["CairnCore"], swiftSettings: strictSettings),
        .target(name: "CairnDDP", dependencies: ["CairnCore"], swiftSettings: strictSettings),
        .target(name: "CairnFSDP", dependencies: ["CairnCore"], swiftSettings: strictSettings),
        .target(name: "CairnZeRO", dependencies: ["CairnCore"], swiftSettings: strictSettings),
        .target(name: "CairnLoRA", dependencies: ["CairnCore", "CairnNN"], swiftSettings: strictSettings),

        // MARK: - Trainer, kit, tool
        .target(
            name: "CairnTrainer",
            dependencies: [
                "CairnCore", "CairnTensor", "CairnSafetensors", "CairnNN", "CairnOptim", "CairnConfig",
                "CairnData", "CairnCheckpoint", "CairnEmbedded", "CairnMPI", "CairnLoRA", logging,
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Cairn",
            dependencies: [
                "CairnCore", "CairnTensor", "CairnSafetensors", "CairnNN", "CairnOptim", "CairnConfig", "CairnData",
                "CairnCheckpoint", "CairnEmbedded", "CairnMPI", "CairnSingle", "CairnDDP", "CairnFSDP", "CairnZeRO",
                "CairnLoRA", "CairnTrainer",
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CairnConformance",
            dependencies: [
                "CairnCore", "CairnEmbedded", "CairnSingle", "CairnTrainer", "CairnNN", "CairnData", "CairnConfig",
                "CairnCheckpoint", "CairnLoRA",
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "cairn",
            dependencies: ["Cairn", argumentParser, logging],
            path: "Sources/CairnCLI",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "cairn-mpi-check",
            dependencies: ["CairnCore", "CairnMPI", "CMPI", "CairnConformance", "CairnEmbedded"],
            path: "Sources/CairnMPICheck",
            swiftSettings: strictSettings
        ),

        // MARK: - Package plugins (thin launchers of the `cairn` tool, found by its target name; STYLE.md §12)
        .plugin(
            name: "CairnValidate",
            capability: .command(
                intent: .custom(verb: "cairn-validate", description: "Check YAML configs with `cairn validate`."),
                permissions: []
            ),
            dependencies: ["cairn"]
        ),
        .plugin(
            name: "CairnNewStrategy",
            capability: .command(
                intent: .custom(
                    verb: "cairn-new-strategy",
                    description: "Scaffold a distribution strategy module with `cairn new-strategy`."),
                permissions: [
                    .writeToPackageDirectory(
                        reason: "It writes a new strategy's sources, tests, DocC article and example config.")
                ]
            ),
            dependencies: ["cairn"]
        ),

        // MARK: - Tests
        .testTarget(name: "CairnCoreTests", dependencies: ["CairnCore"], swiftSettings: strictSettings),
        .testTarget(name: "CairnJSONTests", dependencies: ["CairnCore", "CairnJSON"], swiftSettings: strictSettings),
        .testTarget(
            name: "CairnTensorTests",
            dependencies: ["CairnCore", "CairnTensor"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnSafetensorsTests",
            dependencies: ["CairnCore", "CairnSafetensors"],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnNNTests",
            dependencies: ["CairnCore", "CairnTensor", "CairnSafetensors", "CairnNN", "CairnOptim", "CairnEmbedded"],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnOptimTests",
            dependencies: ["CairnCore", "CairnTensor", "CairnOptim", "CairnEmbedded"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnConfigTests",
            dependencies: ["CairnCore", "CairnConfig"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnDataTests",
            dependencies: ["CairnCore", "CairnConfig", "CairnData"],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnCheckpointTests",
            dependencies: ["CairnCore", "CairnSafetensors", "CairnCheckpoint", "CairnConformance", "CairnEmbedded"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnMPITests",
            dependencies: ["CairnCore", "CairnMPI", "CairnConformance", "CairnEmbedded"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnEmbeddedTests",
            dependencies: ["CairnCore", "CairnEmbedded"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnSingleTests",
            dependencies: ["CairnCore", "CairnSingle", "CairnConformance"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnDDPTests",
            dependencies: ["CairnCore", "CairnDDP", "CairnConformance"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnLoRATests",
            dependencies: [
                "CairnCore", "CairnLoRA", "CairnConformance", "CairnSingle", "CairnDDP", "CairnFSDP", "CairnZeRO",
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnFSDPTests",
            dependencies: [
                "CairnCore", "CairnFSDP", "CairnConformance", "CairnEmbedded", "CairnNN", "CairnTensor", "CairnOptim",
                "CairnTrainer", "CairnConfig", "CairnData", "CairnSingle", logging,
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnZeROTests",
            dependencies: ["CairnCore", "CairnZeRO", "CairnConformance", "CairnEmbedded"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnTrainerTests",
            dependencies: [
                "CairnCore", "CairnTrainer", "CairnConfig", "CairnCheckpoint", "CairnNN", "CairnEmbedded", "CairnSafetensors",
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnIntegrationTests",
            dependencies: ["Cairn", "CairnCore", "CairnTrainer", "CairnConformance"],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
    ]
)
