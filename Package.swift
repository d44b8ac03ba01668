// swift-tools-version:6.0
import PackageDescription

let upcoming: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "sluice",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sluice", targets: ["sluice"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // Built anyway for Hummingbird: the reader's `AnswerCounter` sees HTTP parts as Hummingbird's channel has them.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
        // For the tests only (NIOEmbedded: a channel driven by hand); SwiftNIO itself is Hummingbird's.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        // Errno (and the rest of swift-system) is built anyway: SwiftNIO depends on it.
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // One target per C library; nothing else sees C types. libcurl is loaded at the first download and libgd at the
        // first image (dlopen), so CCurl and CGD are small C targets rather than system-library ones: see their headers.
        .systemLibrary(name: "CInotifyTools", path: "Sources/CInotifyTools"),
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("dl")]),
        // libgd is loaded at the first image (dlopen), like libcurl: see Sources/CGD/include/CGD.h.
        .target(name: "CGD", linkerSettings: [.linkedLibrary("dl")]),
        // sqlite3_config, which GRDB leaves alone (memory statistics off: see Sources/CSQLite/include/CSQLite.h).
        .target(name: "CSQLite", linkerSettings: [.linkedLibrary("sqlite3")]),
        // libjpeg-turbo's DCT-scaled decoding for thumbnails (libgd decodes JPEGs at full size only).
        .target(name: "CJPEG", linkerSettings: [.linkedLibrary("jpeg")]),
        // libc calls the Glibc module leaves out (extended attributes: an upload's name and comment).
        .target(name: "CLinux"),

        .target(name: "SluiceCore", dependencies: [
            .product(name: "SystemPackage", package: "swift-system"),
        ], swiftSettings: upcoming),
        .target(name: "Catalogue", dependencies: [
            "SluiceCore", "CSQLite", .product(name: "GRDB", package: "GRDB.swift"),
        ], swiftSettings: upcoming),
        .target(name: "Spool", dependencies: [
            "SluiceCore", "CInotifyTools", "CLinux", .product(name: "SystemPackage", package: "swift-system"),
        ], swiftSettings: upcoming),
        .target(name: "Fetch", dependencies: ["SluiceCore", "CCurl"], swiftSettings: upcoming),
        .target(name: "Imaging", dependencies: ["SluiceCore", "CGD", "CJPEG"], swiftSettings: upcoming),
        .target(name: "Publish", dependencies: [
            "SluiceCore", .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: upcoming),
        .target(name: "Pipeline", dependencies: [
            "SluiceCore", "Catalogue", "Spool", "Fetch", "Publish",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "SystemPackage", package: "swift-system"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: upcoming),
        .target(name: "Reader", dependencies: [
            "SluiceCore", "Catalogue",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: upcoming),
        .executableTarget(name: "sluice", dependencies: [
            "SluiceCore", "Catalogue", "Pipeline", "Reader", "Spool", "Imaging", "CLinux",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "SystemPackage", package: "swift-system"),
        ], swiftSettings: upcoming, linkerSettings: [
            // Release: a position-independent binary whose relocations are packed (DT_RELR, glibc 2.36+), and no
            // export of every Swift symbol (the static stdlib asks for --export-dynamic). Each costs the dynamic
            // loader megabytes of pages at start-up; together they take 4-5 MiB off an idle `sluice up`.
            .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
                          "-Xlinker", "--no-export-dynamic"], .when(configuration: .release)),
        ]),

        .target(name: "TestSupport", dependencies: [
            "SluiceCore", .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ], path: "Tests/TestSupport", swiftSettings: upcoming),
        .testTarget(name: "SluiceCoreTests", dependencies: ["SluiceCore"], swiftSettings: upcoming),
        .testTarget(name: "CatalogueTests", dependencies: ["SluiceCore", "Catalogue", "TestSupport"], swiftSettings: upcoming),
        .testTarget(name: "SpoolTests", dependencies: ["SluiceCore", "Spool", "TestSupport"], swiftSettings: upcoming),
        .testTarget(name: "FetchTests", dependencies: [
            "SluiceCore", "Fetch", "TestSupport",
        ], swiftSettings: upcoming),
        .testTarget(name: "ImagingTests", dependencies: ["SluiceCore", "Imaging"], swiftSettings: upcoming),
        .testTarget(name: "PublishTests", dependencies: ["SluiceCore", "Catalogue", "Publish", "TestSupport",
                                                        .product(name: "Logging", package: "swift-log")], swiftSettings: upcoming),
        .testTarget(name: "ReaderTests", dependencies: [
            "SluiceCore", "Catalogue", "Reader", "TestSupport", .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        ], swiftSettings: upcoming),
        .testTarget(name: "EndToEndTests", dependencies: ["SluiceCore", "Catalogue", "Imaging", "Pipeline", "TestSupport", "CLinux",
                                                         .product(name: "Logging", package: "swift-log")], swiftSettings: upcoming),
    ]
)
