// swift-tools-version:6.0
// Measures CryptoCore against the openssl command chain; depends on the root package by path.
import PackageDescription

let package = Package(
    name: "CryptoBench",
    dependencies: [.package(name: "appseal", path: "../..")],
    targets: [
        .executableTarget(name: "CryptoBench", dependencies: [.product(name: "CryptoCore", package: "appseal")]),
    ]
)
