// swift-tools-version:6.0
// Fuzz targets for appseal's parsers: libFuzzer executables over the library products of the
// root package. Build and run them with Fuzz/run (see docs/fuzzing.md); each module adds its
// targets under its own MARK, named Fuzz<Something>, with a seeds/<Target> file.
import PackageDescription

var targets: [Target] = []

/// A libFuzzer target: its main.swift hands one input callback to `appseal_fuzz_main` (CFuzzDriver).
func fuzzTarget(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["CFuzzDriver"] + products.map { .product(name: $0, package: "appseal") }
    )
}

targets.append(.target(name: "CFuzzDriver"))

// MARK: ArchiveKit
targets.append(fuzzTarget("FuzzZipReader", ["ArchiveKit"]))

// MARK: CryptoCore
targets.append(fuzzTarget("FuzzCertificateImport", ["CryptoCore"]))

// MARK: AndroidPackage
targets.append(fuzzTarget("FuzzAXML", ["AndroidPackage"]))
targets.append(fuzzTarget("FuzzProtobuf", ["AndroidPackage"]))

// MARK: ApplePackage
targets.append(fuzzTarget("FuzzMachO", ["ApplePackage"]))

let package = Package(
    name: "appseal-fuzz",
    dependencies: [.package(name: "appseal", path: "..")],
    targets: targets
)
