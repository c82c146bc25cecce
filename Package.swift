// swift-tools-version:6.0
// appseal depends on the Swift toolchain and three system C libraries only (no outside packages).
import PackageDescription

var targets: [Target] = [
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
    .systemLibrary(name: "CNcurses", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),
    .target(name: "CAppsealShim", dependencies: ["CZlib", "COpenSSL", "CNcurses"]),
    .target(name: "TestSupport", path: "Tests/TestSupport"),
]

// Modules the executable links; each module block below adds itself.
var appsealDependencies: [Target.Dependency] = []
// Library products exist so the fuzz package (Fuzz/) can depend on the modules by path.
var products: [Product] = [.executable(name: "appseal", targets: ["appseal"])]

// MARK: ArchiveKit
targets += [
    .target(name: "ArchiveKit", dependencies: ["CZlib", "CAppsealShim"]),
    .testTarget(name: "ArchiveKitTests", dependencies: ["ArchiveKit", "TestSupport", "appseal"]),
]
appsealDependencies.append("ArchiveKit")
products.append(.library(name: "ArchiveKit", targets: ["ArchiveKit"]))

// MARK: CryptoCore
targets += [
    .target(name: "CryptoCore", dependencies: ["COpenSSL", "CAppsealShim"]),
    .testTarget(name: "CryptoCoreTests", dependencies: ["CryptoCore", "TestSupport"]),
]
appsealDependencies.append("CryptoCore")
products.append(.library(name: "CryptoCore", targets: ["CryptoCore"]))

// MARK: AndroidPackage
targets += [
    .target(name: "AndroidPackage", dependencies: ["ArchiveKit", "CryptoCore"]),
    .testTarget(name: "AndroidPackageTests", dependencies: ["AndroidPackage", "TestSupport", "appseal"]),
]
appsealDependencies.append("AndroidPackage")
products.append(.library(name: "AndroidPackage", targets: ["AndroidPackage"]))

// MARK: ApplePackage
targets += [
    .target(name: "ApplePackage", dependencies: ["ArchiveKit", "CryptoCore"]),
    .testTarget(name: "ApplePackageTests", dependencies: ["ApplePackage", "TestSupport", "appseal"]),
]
appsealDependencies.append("ApplePackage")
products.append(.library(name: "ApplePackage", targets: ["ApplePackage"]))

// MARK: BuildEngine
targets += [
    .target(name: "BuildEngine", dependencies: ["CryptoCore", "ArchiveKit", "AndroidPackage", "ApplePackage"]),
    .testTarget(name: "BuildEngineTests", dependencies: ["BuildEngine", "TestSupport", "appseal"]),
]
appsealDependencies.append("BuildEngine")

// MARK: Console
targets += [
    .target(name: "Console", dependencies: ["CNcurses", "CAppsealShim"]),
    .testTarget(name: "ConsoleTests", dependencies: ["Console", "TestSupport", "appseal"]),
]
appsealDependencies.append("Console")
products.append(.library(name: "Console", targets: ["Console"]))

// MARK: appseal executable
targets += [
    .executableTarget(name: "appseal", dependencies: appsealDependencies),
    .testTarget(name: "appsealTests", dependencies: ["TestSupport", "appseal"]),
]

let package = Package(
    name: "appseal",
    products: products,
    targets: targets
)
