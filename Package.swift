// swift-tools-version:6.0
import PackageDescription

// Release builds optimise across module boundaries so that the generic flow
// tracker is specialised for its consumer (no existential call per packet),
// and skip the run-time exclusivity checks on class properties of the packet
// path (debug builds and tests keep them, so violations are still caught).
let hotPath: [SwiftSetting] = [
    .unsafeFlags(["-cross-module-optimization", "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "rdpdiag",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "rdpdiag", targets: ["rdpdiag"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CPcap",
            pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"])]
        ),
        .systemLibrary(name: "CMimalloc", providers: [.apt(["libmimalloc-dev"])]),
        .target(name: "Capture", dependencies: ["CPcap", "CPrefetch"], swiftSettings: hotPath),
        .target(name: "Wire", dependencies: ["Capture"], swiftSettings: hotPath),
        // Cache hints (C: no Swift spelling for them): a prefetch for the reassembler's log of
        // delivered bytes, streaming stores for the read-ahead thread's capture history.
        .target(name: "CPrefetch"),
        .target(
            name: "Reassembly",
            dependencies: ["Capture", "Wire", "CPrefetch", .product(name: "DequeModule", package: "swift-collections")],
            swiftSettings: hotPath
        ),
        .target(
            name: "Dissect",
            dependencies: [
                "Wire", "Reassembly", "Capture",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                // RSA key size of a certificate's key (_RSA.Signing.PublicKey).
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: hotPath
        ),
        .target(name: "Diagnosis", dependencies: ["Capture", "Wire", "Reassembly", "Dissect"], swiftSettings: hotPath),
        // Every module a target imports is named here, not only reached through another:
        // a change to a module's layout must rebuild each module that imports it.
        .target(name: "Report", dependencies: ["Capture", "Wire", "Reassembly", "Dissect", "Diagnosis"]),
        .executableTarget(
            name: "rdpdiag",
            dependencies: [
                "Capture", "Wire", "Reassembly", "Dissect", "Diagnosis", "Report", "CMimalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: hotPath
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "Capture", "Wire",
                // Sealing TLS records of the synthesized encrypted captures (TLSSealer.swift).
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "rdpdiag-bench-gen",
            dependencies: ["Capture", "TestSupport"],
            path: "Benchmarks/Generator",
            swiftSettings: hotPath
        ),
        .executableTarget(
            name: "rdpdiag-capture-synth",
            dependencies: ["Capture", "Wire", "TestSupport"],
            path: "Captures/synth",
            exclude: ["ground-truth.json", "ground_truth.py"]
        ),
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "Wire", "TestSupport", "rdpdiag-bench-gen"]),
        .testTarget(name: "WireTests", dependencies: ["Wire", "TestSupport"]),
        .testTarget(name: "ReassemblyTests", dependencies: ["Reassembly", "Wire", "Capture", "TestSupport"]),
        .testTarget(
            name: "DissectTests",
            dependencies: [
                "Dissect", "Wire", "TestSupport", "Capture", "Reassembly", "rdpdiag-capture-synth",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                // The TLS decryption tests seal CBC records (AES._CBC).
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            // Recorded captures and key logs, read through #filePath.
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["Diagnosis", "Report", "TestSupport", "Capture", "Reassembly", "Dissect", "Wire", "rdpdiag",
                           "rdpdiag-capture-synth"]
        ),
    ]
)
