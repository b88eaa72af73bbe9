// swift-tools-version: 6.1
// The performance measurements of smallbmsd, kept out of the main package so that its
// `swift build` and `swift test` never build ordo-one/benchmark. Run from this folder:
//   swift package benchmark                      (every benchmark)
//   swift package benchmark --filter 'Decoder.*' (a subset)
// and `./reaction.sh` for the daemon's reaction time, CPU, memory and wake-ups.
import PackageDescription
import Foundation

// A path dependency's identity is its folder's name, which is whatever the clone is called
// (`main` here, something else in CI): read it instead of guessing.
let mainPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent

let benchmark = Target.Dependency.product(name: "Benchmark", package: "benchmark")
let plugins: [Target.PluginUsage] = [.plugin(name: "BenchmarkPlugin", package: "benchmark")]

let package = Package(
    name: "smallbmsd-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // What the benchmarks feed (clean and noisy byte streams, a steady-state bank); no benchmark code.
        .target(
            name: "BenchmarkSupport",
            dependencies: [.product(name: "M8Bus", package: mainPackage), .product(name: "BMSCore", package: mainPackage)],
            path: "BenchmarkSupport"),
        // The M8 decoder alone, and the daemon's whole data path (decoder + rule core).
        // The package-benchmark plugin runs executable targets whose folder sits in a folder
        // named `Benchmarks`: this one.
        .executableTarget(
            name: "DecoderBenchmarks",
            dependencies: [
                benchmark, "BenchmarkSupport",
                .product(name: "M8Bus", package: mainPackage),
                .product(name: "BMSCore", package: mainPackage),
                .product(name: "Pipeline", package: mainPackage),
            ],
            path: "DecoderBenchmarks",
            plugins: plugins),
        // The rule core: one reading handled and evaluated, for 1 and for 20 batteries.
        .executableTarget(
            name: "RuleCoreBenchmarks",
            dependencies: [benchmark, "BenchmarkSupport", .product(name: "BMSCore", package: mainPackage)],
            path: "RuleCoreBenchmarks",
            plugins: plugins),
        // The same hot paths without the benchmark harness, for `valgrind --tool=callgrind`
        // (instruction counts: steady on a busy machine). Not under the plugin's folder rule.
        .executableTarget(
            name: "CallgrindDriver",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "M8Bus", package: mainPackage),
                .product(name: "BMSCore", package: mainPackage),
                .product(name: "Pipeline", package: mainPackage),
            ],
            path: "Tools/CallgrindDriver",
            // Nothing else here links Foundation, which would have brought libm (round, fmod) along.
            linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
    ]
)
