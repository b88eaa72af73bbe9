// swift-tools-version: 6.0
import Foundation
import PackageDescription

// MARK: libgpiod 1 or 2 (issue 8) -------------------------------------------------------------
// The two libgpiod generations have incompatible C APIs. Sources/Devices compiles GPIOD1.swift
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

// The run loop touches class properties (the daemon's, its sources', the serial port's, the epoll
// set's) on every wake-up, and Swift checks each of those accesses for exclusivity at run time:
// about 1,200 of a wake-up's 14,400 instructions (Benchmarks/Tools/wakeup-callgrind.sh). Debug
// builds, which every test runs, keep the run-time checks; release builds of these three modules
// rely on the compile-time checks alone.
let releaseWithoutRuntimeExclusivityChecks: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "smallbmsd",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "smallbmsd", targets: ["smallbmsd"]),
        // For the separate Benchmarks/ package (it depends on this one by path); nothing else uses them.
        .library(name: "BMSCore", targets: ["BMSCore"]),
        .library(name: "M8Bus", targets: ["M8Bus"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
        // Serial BMS protocols (pure), for the daemon's UART sources and `simulate`.
        .library(name: "SerialBMS", targets: ["SerialBMS"]),
        .library(name: "JBD", targets: ["JBD"]),
        .library(name: "JK", targets: ["JK"]),
        .library(name: "Daly", targets: ["Daly"]),
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
        // What the serial BMS protocols share: a poll session in virtual time, framing, a simulated pack.
        .target(name: "SerialBMS", dependencies: ["BMSCore"]),
        // Pure wire formats of JBD / Xiaoxiang, JK B-series ("4E 57") and Daly BMSes, with simulated peers.
        .target(name: "JBD", dependencies: ["BMSCore", "SerialBMS"]),
        .target(name: "JK", dependencies: ["BMSCore", "SerialBMS"]),
        .target(name: "Daly", dependencies: ["BMSCore", "SerialBMS"]),
        // TOML text -> validated settings, with file/key/line errors.
        .target(
            name: "Config",
            dependencies: ["BMSCore", "SerialBMS", "JBD", "JK", "Daly", "VictronInstantReadout", .product(name: "TOMLKit", package: "TOMLKit")]),
        // Pure Victron Bluetooth Instant Readout: advertisement bytes + key -> readings (Lithium Battery
        // Smart) and state of charge (SmartShunt/BMV). AES-CTR is libcrypto's, through CCrypto, in one file
        // (LibCrypto.swift): pure computation, so the module stays free of I/O.
        .target(name: "VictronInstantReadout", dependencies: ["BMSCore", "CCrypto"]),
        // Still pure: each source's decoding (bytes -> the rules' inputs), replay, the simulated bank.
        .target(name: "Pipeline", dependencies: ["BMSCore", "M8Bus", "VEDirect"]),
        // The build's version (VERSION + git, scripts/version.sh), stamped before every build.
        .target(name: "BuildInfo", plugins: ["VersionStamp"]),
        .plugin(name: "VersionStamp", capability: .buildTool()),
        // C libraries, one module map each; only the edges import them, one Swift file per library.
        .systemLibrary(name: "CGPIOD", pkgConfig: "libgpiod", providers: [.apt(["libgpiod-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // OpenSSL's libcrypto (EVP: AES-128-CTR, SHA-256): Debian's own, not swift-crypto, which would
        // compile BoringSSL in every CI build, the Debian package build and under arm64 emulation.
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // Kernel interfaces missing from Glibc's module map (signalfd).
        .systemLibrary(name: "CLinux"),
        // What every edge shares: its error type, the one write-all loop, wake-up pipes, the clock reads, the epoll set.
        .target(name: "EdgeIO", dependencies: ["CLinux"], swiftSettings: releaseWithoutRuntimeExclusivityChecks),
        // Devices: GPIO lines (libgpiod 1 or 2 under one skeleton, or simulated) and serial ports.
        .target(
            name: "Devices", dependencies: ["BMSCore", "Config", "CGPIOD", "EdgeIO"],
            swiftSettings: libgpiodSwiftSettings + releaseWithoutRuntimeExclusivityChecks),
        // systemd: the journal, sd_notify and the watchdog, signals.
        .target(name: "Systemd", dependencies: ["CSystemd", "CLinux", "EdgeIO"]),
        // Bluetooth LE advertisements through BlueZ over the D-Bus system bus (sd-bus, in BusConnection.swift).
        .target(name: "Bluetooth", dependencies: ["CSystemd", "EdgeIO"]),
        // The status file and its JSON, for `smallbmsd status` and anyone's jq.
        .target(name: "Status", dependencies: ["BMSCore", "EdgeIO"]),
        // Issue 15: incident files of the flight recorder (the directory, its size bound).
        .target(name: "Recording", dependencies: ["Pipeline", "EdgeIO"]),
        // Issue 15: the history database; SQLite through Debian's libsqlite3-dev, one Swift file.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "History", dependencies: ["CSQLite", "BMSCore", "Pipeline", "EdgeIO"]),
        // Dashboards, still pure: a status report as Prometheus text and as Home Assistant MQTT messages.
        .target(name: "Dashboards", dependencies: ["BMSCore", "Status"]),
        .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),
        // `smallbmsd export`: follows the status file, publishes to an MQTT broker (libmosquitto).
        .target(name: "Export", dependencies: ["BMSCore", "Dashboards", "CMosquitto", "Status", "Systemd", "EdgeIO"]),
        // The run loop: an executor of the core's decisions; sources feed it, sinks are told.
        .target(
            name: "Daemon",
            dependencies: [
                "BMSCore", "M8Bus", "VEDirect", "SerialBMS", "JBD", "JK", "Daly", "Config", "Pipeline", "EdgeIO", "Devices",
                "Systemd", "Status", "Dashboards", "BuildInfo", "Recording", "History", "Bluetooth", "VictronInstantReadout",
            ],
            swiftSettings: releaseWithoutRuntimeExclusivityChecks),
        .executableTarget(
            name: "smallbmsd",
            dependencies: [
                "BMSCore", "M8Bus", "SerialBMS", "JBD", "JK", "Daly", "Config", "Pipeline", "EdgeIO", "Devices", "Systemd",
                "Status", "Daemon", "Export", "BuildInfo", "Recording", "History",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "BMSCoreTests", dependencies: ["BMSCore", "M8Bus"]),
        .testTarget(name: "M8BusTests", dependencies: ["M8Bus"]),
        .testTarget(name: "VEDirectTests", dependencies: ["VEDirect"]),
        .testTarget(name: "VictronInstantReadoutTests", dependencies: ["VictronInstantReadout", "BMSCore"]),
        .testTarget(name: "ConfigTests", dependencies: ["Config", "BMSCore", "VictronInstantReadout"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "BMSCore", "M8Bus", "VEDirect", "Config"]),
        .testTarget(name: "CLITests", dependencies: ["smallbmsd", "M8Bus", "SerialBMS", "JBD", "JK", "Daly", "BMSCore"]),
        // The real binary on a pty, with a NOTIFY_SOCKET listener and simulated lines.
        .testTarget(
            name: "DaemonTests",
            dependencies: [
                "smallbmsd", "Daemon", "BMSCore", "Config", "M8Bus", "VEDirect", "SerialBMS", "JBD", "JK", "Daly", "EdgeIO",
                "Devices", "Systemd", "Status", "Bluetooth", "VictronInstantReadout",
            ],
            exclude: ["MockBlueZ/driver.py"]),
        // The dashboards' text and messages; the exporter against a real mosquitto broker.
        .testTarget(name: "DashboardsTests", dependencies: ["Dashboards", "Status", "BMSCore"]),
        .testTarget(name: "ExportTests", dependencies: ["smallbmsd", "Export", "Dashboards", "Status", "BMSCore"]),
        // The edges: devices, systemd and the status file, each tested for real (ptys, sockets, files).
        .testTarget(name: "HardwareTests", dependencies: ["EdgeIO", "Devices", "Systemd", "Status", "BMSCore", "Config"]),
        // Issue 15: the recorder's pure parts, the incident directory and the history database, for real.
        .testTarget(name: "RecordingTests", dependencies: ["Recording", "History", "Pipeline", "BMSCore", "M8Bus", "Config", "EdgeIO", "smallbmsd"]),
        // Test helpers: reads ../shared/vectors/serial-bms.txt beside the repository; a session wired to a responder.
        .target(name: "SerialBMSVectors", dependencies: ["SerialBMS", "BMSCore"], path: "Tests/SerialBMSVectors"),
        .testTarget(name: "SerialBMSTests", dependencies: ["SerialBMS", "BMSCore"]),
        .testTarget(name: "JBDTests", dependencies: ["JBD", "SerialBMS", "BMSCore", "SerialBMSVectors"]),
        .testTarget(name: "JKTests", dependencies: ["JK", "SerialBMS", "BMSCore", "SerialBMSVectors"]),
        .testTarget(name: "DalyTests", dependencies: ["Daly", "SerialBMS", "BMSCore", "SerialBMSVectors"]),
    ]
)
