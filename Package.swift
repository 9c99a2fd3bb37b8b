// swift-tools-version:6.0
import PackageDescription

// Release builds optimise across module boundaries so that the generic flow
// tracker is specialised for its consumer (no existential call per packet).
let hotPath: [SwiftSetting] = [
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
]

let package = Package(
    name: "rdpdiag",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "rdpdiag", targets: ["rdpdiag"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CPcap",
            pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"])]
        ),
        .target(name: "Capture", dependencies: ["CPcap"], swiftSettings: hotPath),
        .target(name: "Wire", dependencies: ["Capture"], swiftSettings: hotPath),
        .target(name: "Reassembly", dependencies: ["Capture", "Wire"], swiftSettings: hotPath),
        .target(name: "Dissect", dependencies: ["Wire", "Reassembly"], swiftSettings: hotPath),
        .target(name: "Diagnosis", dependencies: ["Capture", "Wire", "Reassembly", "Dissect"], swiftSettings: hotPath),
        .target(name: "Report", dependencies: ["Capture", "Diagnosis"]),
        .executableTarget(
            name: "rdpdiag",
            dependencies: [
                "Capture", "Wire", "Reassembly", "Dissect", "Diagnosis", "Report",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: hotPath
        ),
        .target(name: "TestSupport", dependencies: ["Capture", "Wire"]),
        .executableTarget(
            name: "rdpdiag-bench-gen",
            dependencies: ["Capture", "TestSupport"],
            path: "Benchmarks/Generator",
            swiftSettings: hotPath
        ),
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "TestSupport", "rdpdiag-bench-gen"]),
        .testTarget(name: "WireTests", dependencies: ["Wire", "TestSupport"]),
        .testTarget(name: "ReassemblyTests", dependencies: ["Reassembly", "Wire", "Capture", "TestSupport"]),
        .testTarget(name: "DissectTests", dependencies: ["Dissect", "Wire", "TestSupport"]),
        .testTarget(
            name: "CLITests",
            dependencies: ["Diagnosis", "Report", "TestSupport", "Capture"]
        ),
    ]
)
