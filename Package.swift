// swift-tools-version: 6.0
import Foundation
import PackageDescription

// MARK: libgpiod 1 or 2 (issue 8) -------------------------------------------------------------
// The two libgpiod generations have incompatible C APIs. Sources/Hardware compiles GPIOD.swift
// (1.x: Debian 12, Pi OS bookworm) or GPIOD2.swift (2.x: Debian 13, Pi OS trixie, bookworm-backports)
// under the LIBGPIOD_V2 condition, set here from what `pkg-config --modversion libgpiod` finds.
// SMALLBMSD_LIBGPIOD=1|2 overrides the probe; without pkg-config the build assumes 1.x.
// scripts/libgpiod2-prefix.sh unpacks backports' 2.1.3 beside the system's 1.6 (then PKG_CONFIG_PATH).
let libgpiodMajor: Int = {
    if let forced = ProcessInfo.processInfo.environment["SMALLBMSD_LIBGPIOD"], let major = Int(forced) {
        return major
    }
    let probe = Process()
    probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    probe.arguments = ["pkg-config", "--modversion", "libgpiod"]
    let output = Pipe()
    probe.standardOutput = output
    probe.standardError = FileHandle.nullDevice
    guard (try? probe.run()) != nil else { return 1 }
    let version = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    probe.waitUntilExit()
    guard probe.terminationStatus == 0 else { return 1 }
    return Int(version.prefix(while: \.isNumber)) ?? 1
}()
let libgpiodSwiftSettings: [SwiftSetting] = libgpiodMajor >= 2 ? [.define("LIBGPIOD_V2")] : []
// ----------------------------------------------------------------------------------------------

let package = Package(
    name: "smallbmsd",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "smallbmsd", targets: ["smallbmsd"]),
        // For the separate Benchmarks/ package (it depends on this one by path); nothing else uses them.
        .library(name: "BMSCore", targets: ["BMSCore"]),
        .library(name: "M8Bus", targets: ["M8Bus"]),
        .library(name: "BMSEngine", targets: ["BMSEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // Pure rules: no I/O, no clock reads, no Foundation.
        .target(name: "BMSCore"),
        // Pure wire format of the M8 bus adapter.
        .target(name: "M8Bus"),
        // Pure wire format of a SmartShunt or BMV's VE.Direct text protocol (rule 10's input).
        .target(name: "VEDirect"),
        // TOML text -> validated settings, with file/key/line errors.
        .target(name: "Config", dependencies: ["BMSCore", .product(name: "TOMLKit", package: "TOMLKit")]),
        // The one data path (bytes -> decoder -> controller -> decision) and replay, still pure.
        .target(name: "BMSEngine", dependencies: ["BMSCore", "M8Bus"]),
        // The build's version (VERSION + git, scripts/version.sh), stamped before every build.
        .target(name: "BuildInfo", plugins: ["VersionStamp"]),
        .plugin(name: "VersionStamp", capability: .buildTool()),
        // C libraries, one module map each; only Hardware imports them, one Swift file per library.
        .systemLibrary(name: "CGPIOD", pkgConfig: "libgpiod", providers: [.apt(["libgpiod-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // Kernel interfaces missing from Glibc's module map (signalfd).
        .systemLibrary(name: "CLinux"),
        // The edges: UART, GPIO lines, systemd, journal, status file, behind small protocols.
        .target(
            name: "Hardware", dependencies: ["BMSCore", "Config", "CGPIOD", "CSystemd", "CLinux"],
            swiftSettings: libgpiodSwiftSettings),
        // The run loop: an executor of the core's decisions on the edges.
        .target(name: "Daemon", dependencies: ["BMSCore", "M8Bus", "VEDirect", "Config", "BMSEngine", "Hardware", "BuildInfo"]),
        .executableTarget(
            name: "smallbmsd",
            dependencies: [
                "BMSCore", "M8Bus", "Config", "BMSEngine", "Hardware", "Daemon", "BuildInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "BMSCoreTests", dependencies: ["BMSCore", "M8Bus"]),
        .testTarget(name: "M8BusTests", dependencies: ["M8Bus"]),
        .testTarget(name: "VEDirectTests", dependencies: ["VEDirect"]),
        .testTarget(name: "ConfigTests", dependencies: ["Config", "BMSCore"]),
        .testTarget(name: "BMSEngineTests", dependencies: ["BMSEngine", "BMSCore", "M8Bus", "Config"]),
        .testTarget(name: "CLITests", dependencies: ["smallbmsd", "M8Bus"]),
        // The real binary on a pty, with a NOTIFY_SOCKET listener and simulated lines.
        .testTarget(name: "DaemonTests", dependencies: ["smallbmsd", "M8Bus", "VEDirect", "Hardware"]),
        .testTarget(name: "HardwareTests", dependencies: ["Hardware", "BMSCore", "Config"]),
    ]
)
