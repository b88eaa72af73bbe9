import BMSCore
import Config
import Foundation
import Glibc
import Testing

@testable import Devices
@testable import EdgeIO
@testable import Status
@testable import Systemd

// The libgpiod 2 backend (GPIOD2.swift) against a fake libgpiod.so.3 that logs every call: the
// exact call sequence for open, drive, the remote's edges, release and safe-state, and the
// installer's messages for every refusal. Each scenario runs in a child process (this test bundle
// again, with the fake first on LD_LIBRARY_PATH and only ``GPIOD2FakeChild`` selected), because
// this process is already linked to the real library. Runs only in a libgpiod 2 build
// (scripts/test-libgpiod2.sh); a real kernel chip is the system test's job (Tests/System).
//
// What this proves: the calls and their arguments (OFF as the requested output value, active-low,
// bias, both edges, the debounce period in microseconds, one request per line, the consumer), their
// order (outputs in LOAD-first order, OFF before ON, OFF and a read-back before every release,
// lines requested before a failure released again), that every handle allocated is freed exactly
// once, and the messages. What it cannot prove: what a kernel does with these requests (the
// system test), and lookup by chip label (that scans /dev/gpiochip*, which this machine has none of).

/// The consumer every scenario requests its lines with.
private let consumer = "smallbmsd-test"

/// LOAD, CHARGER and PRE-ALARM (by offset, active-low) and the LOAD LED: names and an offset.
private let outputs: [Output: OutputLineConfiguration] = [
    .load: OutputLineConfiguration(line: .name("GPIO17")),
    .charger: OutputLineConfiguration(line: .name("GPIO27")),
    .prealarm: OutputLineConfiguration(line: .offset(22), activeLow: true),
    .ledLoad: OutputLineConfiguration(line: .name("GPIO23")),
]

/// The log lines of requesting the four outputs, in order.
private let requestedOutputs = [
    "offset_from_name GPIO17 -> 17",
    "request 17 consumer=\(consumer) output inactive active_low=0 bias=as-is edge=none debounce_us=0",
    "offset_from_name GPIO27 -> 27",
    "request 27 consumer=\(consumer) output inactive active_low=0 bias=as-is edge=none debounce_us=0",
    "request 22 consumer=\(consumer) output inactive active_low=1 bias=as-is edge=none debounce_us=0",
    "offset_from_name GPIO23 -> 23",
    "request 23 consumer=\(consumer) output inactive active_low=0 bias=as-is edge=none debounce_us=0",
]

/// OFF, read back, release: what releasing a held output must look like.
private func releasedOff(_ offsets: [UInt32]) -> [String] {
    offsets.flatMap { ["set_value \($0) 0", "get_value \($0) -> 0", "release \($0)"] }
}

private let noLeaks =
    "live chips=0 chip_infos=0 line_infos=0 settings=0 line_configs=0 request_configs=0 requests=0 buffers=0"

@Suite(
    "libgpiod 2 backend call sequences (fake libgpiod.so.3)",
    .enabled(if: GPIOD2FakeLibrary.isV2Linked, "this build uses libgpiod 1; run scripts/test-libgpiod2.sh"))
struct GPIOD2CallSequenceTests {
    @Test("open requests each output OFF, then the remote with bias, both edges and kernel debounce; drive is OFF before ON; release is OFF, read back, release")
    func lifecycle() throws {
        let log = try GPIOD2ChildRun.run("lifecycle")
        // Built in steps: one long `[..] + [..]` expression is too much for Swift 6.0's type checker.
        var expected: [String] = ["chip_open /dev/gpiochip0"]
        expected += requestedOutputs
        expected += [
            "offset_from_name GPIO5 -> 5",
            "edge_event_buffer_new 16",
            "request 5 consumer=\(consumer) input active_low=1 bias=pull-up edge=both debounce_us=50000",
            "get_fd 5",
            "chip_close",
            "swift: opened",
            "get_value 5 -> 0",
            "swift: remote ON=false",
            "set_value 17 1",
            "set_value 22 1",
            "swift: drove LOAD and PRE-ALARM ON",
            "physical 5 0",
            "read_edge_events 5 max=16 -> 1",
            "get_value 5 -> 1",
            "swift: after the edge: readable=true, ON=true, quiet after drain=true",
            "set_value 17 0",
            "set_value 27 1",
            "swift: drove LOAD OFF, CHARGER ON",
        ]
        expected += releasedOff([17, 27, 22, 23])
        expected += [
            "swift: outputs released, 0 failures",
            "release 5",
            "edge_event_buffer_free",
            "swift: remote released; isOn then throws: true",
            noLeaks,
        ]
        #expect(log == expected)
    }

    @Test("a chip is opened by name, number or /dev path", arguments: ["gpiochip0", "0", "/dev/gpiochip0"])
    func chipForms(chip: String) throws {
        let log = try GPIOD2ChildRun.run("chip:\(chip)")
        #expect(log.first == "chip_open /dev/gpiochip0")
        #expect(log.contains("swift: opened"))
        #expect(log.last == noLeaks)
    }

    @Test("a chip that is not there is looked up as a label, then refused with the shared message")
    func chipNotFound() throws {
        let log = try GPIOD2ChildRun.run("chip:gpiochip7")
        // The label scan opens whatever /dev/gpiochip* this machine has (none here, the Pi's on a Pi).
        let scanned = GPIOMessage.chipDevices().flatMap { path in
            ["chip_open \(path)"] + (path == "/dev/gpiochip0" ? ["chip_close"] : [])
        }
        var expected: [String] = ["chip_open /dev/gpiochip7"]
        expected += scanned
        expected += ["swift: error " + GPIOMessage.chipOpenFailed("gpiochip7", errno: ENOENT).message, noLeaks]
        #expect(log == expected)
    }

    @Test("permission denied on the chip names the device and the gpio group")
    func chipPermission() throws {
        let log = try GPIOD2ChildRun.run("chip:gpiochip5")
        let message = GPIOMessage.chipOpenFailed("gpiochip5", errno: EACCES).message
        #expect(message.contains("/dev/gpiochip5") && message.contains("group gpio"))
        #expect(log == ["chip_open /dev/gpiochip5", "swift: error \(message)", noLeaks])
    }

    @Test("a line held by another program: its consumer is named, and the lines already requested are driven OFF and released")
    func busy() throws {
        let log = try GPIOD2ChildRun.run("open", environment: ["FAKE_GPIOD_BUSY": "27:gpioset"])
        let message = GPIOMessage.requestFailed(
            .name("GPIO27"), key: "gpio.charger", chip: "gpiochip0", errno: EBUSY, consumer: "gpioset",
            ownConsumer: consumer
        ).message
        #expect(message.contains(#""gpioset""#))
        var expected: [String] = ["chip_open /dev/gpiochip0"]
        expected += requestedOutputs.prefix(4)
        expected += ["  -> EBUSY", "line_info 27"]
        expected += releasedOff([17])
        expected += ["chip_close", "swift: error \(message)", noLeaks]
        #expect(log == expected)
    }

    @Test("the same line twice in the config is refused as held by smallbmsd itself")
    func sameLineTwice() throws {
        let log = try GPIOD2ChildRun.run("same-line-twice")
        let message = GPIOMessage.requestFailed(
            .offset(17), key: "gpio.charger", chip: "gpiochip0", errno: EBUSY, consumer: consumer,
            ownConsumer: consumer
        ).message
        #expect(message.contains("another smallbmsd"))
        #expect(log.suffix(6) == releasedOff([17]) + ["chip_close", "swift: error \(message)", noLeaks])
    }

    @Test("the remote on an output's line is refused before it is requested; the outputs are released OFF")
    func remoteOnOutputLine() throws {
        let log = try GPIOD2ChildRun.run("remote-on-load")
        let message = GPIOMessage.remoteSharesLine(.offset(17), with: .load, chip: "gpiochip0").message
        var expected: [String] = ["chip_open /dev/gpiochip0"]
        expected += requestedOutputs
        expected += releasedOff([17, 27, 22, 23])
        expected += ["chip_close", "swift: error \(message)", noLeaks]
        #expect(log == expected)
    }

    @Test("a refused bias says to set bias = \"as-is\"; the outputs are released OFF")
    func biasRefused() throws {
        let log = try GPIOD2ChildRun.run("open", environment: ["FAKE_GPIOD_NO_BIAS": "1"])
        let message = GPIOMessage.requestFailed(
            .name("GPIO5"), key: "remote", chip: "gpiochip0", errno: EINVAL, consumer: nil, ownConsumer: consumer,
            bias: .pullUp
        ).message
        #expect(message.contains(#"bias = "as-is""#))
        var expected: [String] = ["chip_open /dev/gpiochip0"]
        expected += requestedOutputs
        expected += [
            "offset_from_name GPIO5 -> 5",
            "edge_event_buffer_new 16",
            "request 5 consumer=\(consumer) input active_low=1 bias=pull-up edge=both debounce_us=50000",
            "  -> EINVAL (bias)",
            "edge_event_buffer_free",
        ]
        expected += releasedOff([17, 27, 22, 23])
        expected += ["chip_close", "swift: error \(message)", noLeaks]
        #expect(log == expected)
    }

    @Test("a line name the chip does not have, and an offset past its end")
    func lineLookups() throws {
        let missing = try GPIOD2ChildRun.run("missing-name")
        #expect(missing == [
            "chip_open /dev/gpiochip0",
            "offset_from_name NOPE -> ENOENT",
            "chip_close",
            "swift: error " + GPIOMessage.lineNotFound("NOPE", key: "gpio.load", chip: "gpiochip0").message,
            noLeaks,
        ])
        let range = try GPIOD2ChildRun.run("offset-40")
        var expected: [String] = ["chip_open /dev/gpiochip0"]
        expected += requestedOutputs.prefix(2)
        expected += releasedOff([17])
        let outOfRange = GPIOMessage.offsetOutOfRange(40, key: "gpio.charger", chip: "gpiochip0", lineCount: 32)
        expected += ["chip_close", "swift: error " + outOfRange.message, noLeaks]
        #expect(range == expected)
    }

    @Test("a failed write is reported, retried on the next drive, and the line is still released")
    func writeFailure() throws {
        let log = try GPIOD2ChildRun.run("write-failure", environment: ["FAKE_GPIOD_SET_FAIL": "27"])
        let on = GPIOMessage.writeFailed(.charger, line: .name("GPIO27"), chip: "gpiochip0", state: .on, errno: EIO)
        let off = GPIOMessage.writeFailed(.charger, line: .name("GPIO27"), chip: "gpiochip0", state: .off, errno: EIO)
        var expected: [String] = ["chip_open /dev/gpiochip0"]
        expected += requestedOutputs
        expected += ["chip_close", "swift: opened"]
        expected += ["set_value 27 1", "swift: error \(on.message)", "set_value 27 1", "swift: error \(on.message)"]
        expected += releasedOff([17])
        expected += ["set_value 27 0", "release 27"]
        expected += releasedOff([22, 23])
        expected += ["swift: failure \(off.message)", noLeaks]
        #expect(log == expected)
    }

    @Test("safe-state requests each line OFF, reads it back and releases it; a line stuck ON is reported, the others still driven")
    func safeState() throws {
        let log = try GPIOD2ChildRun.run("safe-state", environment: ["FAKE_GPIOD_STUCK": "22"])
        let stuck = GPIOMessage.notConfirmedOff(.prealarm, line: .offset(22), chip: "gpiochip0", errno: nil)
        #expect(log == [
            "chip_open /dev/gpiochip0",
            requestedOutputs[0], requestedOutputs[1], "set_value 17 0", "get_value 17 -> 0", "release 17",
            requestedOutputs[2], requestedOutputs[3], "set_value 27 0", "get_value 27 -> 0", "release 27",
            requestedOutputs[4], "set_value 22 0", "get_value 22 -> 1", "release 22",
            requestedOutputs[5], requestedOutputs[6], "set_value 23 0", "get_value 23 -> 0", "release 23",
            "chip_close",
            "swift: failure \(stuck.message)",
            noLeaks,
        ])
    }

    @Test("the remote's bias, active-low and debounce period reach the request", arguments: [
        ("pull-down", false, 0, "bias=pull-down edge=both debounce_us=0", true),
        ("disabled", true, 20, "bias=disabled edge=both debounce_us=20000", false),
        ("as-is", false, 5, "bias=as-is edge=both debounce_us=5000", true),
    ])
    func remoteSettings(bias: String, activeLow: Bool, milliseconds: Int, expected: String, on: Bool) throws {
        let log = try GPIOD2ChildRun.run("remote:\(bias):\(activeLow):\(milliseconds)")
        #expect(log.contains("request 5 consumer=\(consumer) input active_low=\(activeLow ? 1 : 0) \(expected)"))
        // The line idles high (FAKE_GPIOD_LEVEL default): ON unless active-low.
        #expect(log.contains("swift: remote ON=\(on)"))
        #expect(log.last == noLeaks)
    }
}

/// Runs one scenario in a child process and returns the fake library's log.
enum GPIOD2ChildRun {
    static func run(_ scenario: String, environment: [String: String] = [:]) throws -> [String] {
        let folder = try GPIOD2FakeLibrary.folder.get()
        let name = "\(UInt64.random(in: 0 ... .max))"
        let logPath = "\(folder)/\(name).log"
        let outputPath = "\(folder)/\(name).out"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        defer {
            unlink(logPath)
            unlink(outputPath)
        }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { throw HardwareTestFailure("cannot read /proc/self/exe") }
        let bundle = String(decoding: buffer[0 ..< length].map { UInt8(bitPattern: $0) }, as: UTF8.self)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: bundle)
        process.arguments = ["--testing-library", "swift-testing", "--filter", "GPIOD2FakeChild"]
        var childEnvironment = ProcessInfo.processInfo.environment
        childEnvironment["LD_LIBRARY_PATH"] = folder + (childEnvironment["LD_LIBRARY_PATH"].map { ":" + $0 } ?? "")
        childEnvironment["FAKE_GPIOD_LOG"] = logPath
        childEnvironment["SMALLBMSD_GPIOD2_SCENARIO"] = scenario
        childEnvironment["SWIFT_BACKTRACE"] = "enable=no"
        childEnvironment.merge(environment) { $1 }
        process.environment = childEnvironment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: outputPath)
        process.standardError = FileHandle(forWritingAtPath: outputPath)
        try process.run()
        process.waitUntilExit()
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw HardwareTestFailure("the child for \(scenario) exited \(process.terminationStatus): \(output.suffix(3000))")
        }
        guard output.contains("Test run with 1 test") else {
            throw HardwareTestFailure("the child for \(scenario) ran no test: \(output.suffix(3000))")
        }
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        guard log.contains("swift: ") else {
            throw HardwareTestFailure(
                "the child for \(scenario) did not run the scenario against the fake (log: \(log)); output: \(output.suffix(3000))")
        }
        return log.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }
}

/// The child side: runs the scenario SMALLBMSD_GPIOD2_SCENARIO names, noting what the Swift side
/// saw in the fake's log. Skipped in a normal test run.
@Suite("libgpiod 2 fake: child process (runs only when a call-sequence test starts it)")
struct GPIOD2FakeChild {
    static let scenario = ProcessInfo.processInfo.environment["SMALLBMSD_GPIOD2_SCENARIO"]

    @Test(.enabled(if: scenario != nil, "runs only as the child process a call-sequence test starts"))
    func run() throws {
        let scenario = try #require(GPIOD2FakeChild.scenario)
        // The child must be running the fake, or the scenario would drive a real chip.
        let version = try #require(GPIOD2Scenario.symbol("gpiod_api_version"))
        typealias Version = @convention(c) () -> UnsafePointer<CChar>
        try #require(String(cString: unsafeBitCast(version, to: Version.self)()) == "2.1.3-fake")
        GPIOD2Scenario.run(scenario)
    }
}

enum GPIOD2Scenario {
    static func note(_ line: String) {
        guard let path = ProcessInfo.processInfo.environment["FAKE_GPIOD_LOG"] else { return }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    /// A symbol of the libgpiod.so.3 this process loaded (the fake, in a child).
    static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        guard let library = dlopen("libgpiod.so.3", RTLD_NOW | RTLD_NOLOAD) else { return nil }
        defer { dlclose(library) }
        return dlsym(library, name)
    }

    static func setPhysical(_ offset: UInt32, _ level: Int32) {
        typealias Setter = @convention(c) (UInt32, Int32) -> Void
        guard let symbol = symbol("fake_gpiod_set_physical") else {
            note("swift: fake_gpiod_set_physical is missing")
            return
        }
        unsafeBitCast(symbol, to: Setter.self)(offset, level)
    }

    static func run(_ scenario: String) {
        do throws(HardwareError) {
            try perform(scenario)
        } catch {
            note("swift: error \(error.message)")
        }
    }

    private static func perform(_ scenario: String) throws(HardwareError) {
        let parts = scenario.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var gpio = GPIOConfiguration(chip: "gpiochip0", outputs: outputs)
        var remote = RemoteConfiguration()  // GPIO5, active-low, pull-up, 50 ms
        switch parts[0] {
        case "lifecycle":
            try lifecycle(gpio, remote: remote)
            return
        case "safe-state":
            for failure in GPIO.driveSafeState(gpio, consumer: consumer) {
                note("swift: failure \(failure.message)")
            }
            return
        case "write-failure":
            try writeFailure(gpio)
            return
        case "chip":
            gpio.chip = parts.dropFirst().joined(separator: ":")
            remote.mode = .alwaysOn
        case "same-line-twice":
            gpio.outputs[.charger] = OutputLineConfiguration(line: .offset(17))
        case "remote-on-load":
            remote.line = .offset(17)
        case "missing-name":
            gpio.outputs[.load] = OutputLineConfiguration(line: .name("NOPE"))
        case "offset-40":
            gpio.outputs[.charger] = OutputLineConfiguration(line: .offset(40))
        case "remote":
            remote.bias = LineBias(rawValue: parts[1]) ?? .asIs
            remote.activeLow = parts[2] == "true"
            remote.debounceMilliseconds = Int(parts[3]) ?? 0
        default:
            break
        }
        let (lines, input) = try GPIO.open(gpio, remote: remote, consumer: consumer)
        note("swift: opened")
        if let input { note("swift: remote ON=\(try input.isOn())") }
        _ = lines.releaseSafely()
        input?.release()
    }

    private static func lifecycle(_ gpio: GPIOConfiguration, remote: RemoteConfiguration) throws(HardwareError) {
        let (lines, opened) = try GPIO.open(gpio, remote: remote, consumer: consumer)
        note("swift: opened")
        guard let input = opened else {
            note("swift: no remote input")
            return
        }
        note("swift: remote ON=\(try input.isOn())")

        var levels = OutputLevels.allOff
        levels[.load] = .on
        levels[.prealarm] = .on
        try lines.drive(levels)
        note("swift: drove LOAD and PRE-ALARM ON")

        // The contact closes (active-low): the kernel reports the settled edge on the descriptor.
        setPhysical(5, 0)
        let readable = GPIOTestSupport.pollsReadable(input.eventDescriptor, within: 2000)
        try input.drainEvents()
        let on = try input.isOn()
        let quiet = !GPIOTestSupport.pollsReadable(input.eventDescriptor, within: 0)
        note("swift: after the edge: readable=\(readable), ON=\(on), quiet after drain=\(quiet)")

        levels[.load] = .off
        levels[.charger] = .on
        try lines.drive(levels)
        note("swift: drove LOAD OFF, CHARGER ON")

        note("swift: outputs released, \(lines.releaseSafely().count) failures")
        input.release()
        var throwsAfterRelease = false
        do { _ = try input.isOn() } catch { throwsAfterRelease = true }
        note("swift: remote released; isOn then throws: \(throwsAfterRelease)")
    }

    private static func writeFailure(_ gpio: GPIOConfiguration) throws(HardwareError) {
        let (lines, _) = try GPIO.open(gpio, remote: RemoteConfiguration(mode: .alwaysOn), consumer: consumer)
        note("swift: opened")
        var levels = OutputLevels.allOff
        levels[.charger] = .on
        for _ in 0 ..< 2 {
            do throws(HardwareError) {
                try lines.drive(levels)
                note("swift: drove CHARGER ON")
            } catch {
                note("swift: error \(error.message)")
            }
        }
        for failure in lines.releaseSafely() {
            note("swift: failure \(failure.message)")
        }
    }
}
