// swift-tools-version:6.0
// Streams 200,000 build log lines through the console while it draws, and reports frames per
// second and key latency measured in-process. Run: swift run -c release --package-path Benchmarks/console-log
import PackageDescription

let package = Package(
    name: "console-log",
    dependencies: [.package(name: "appseal", path: "../..")],
    targets: [
        .executableTarget(name: "console-log", dependencies: [.product(name: "Console", package: "appseal")], path: "Sources"),
    ]
)
