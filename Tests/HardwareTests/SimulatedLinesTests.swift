import BMSCore
import Glibc
import Devices
import EdgeIO
import Status
import Systemd
import Testing

@Suite("Simulated output lines")
struct SimulatedOutputLinesTests {
    private func levels(_ on: Output...) -> OutputLevels {
        var levels = OutputLevels.allOff
        for output in on { levels[output] = .on }
        return levels
    }

    @Test("start OFF, drive only their own outputs, and release leaves every output OFF")
    func driveAndRelease() throws {
        let lines = try SimulatedOutputLines(outputs: [.load, .charger, .prealarm], logPath: nil)
        #expect(lines.levels == .allOff)

        try lines.drive(levels(.load, .charger, .ledLoad))
        #expect(lines.levels[.load] == .on)
        #expect(lines.levels[.charger] == .on)
        #expect(lines.levels[.prealarm] == .off)
        #expect(lines.levels[.ledLoad] == .off, "an output without a line is never driven")

        #expect(lines.releaseSafely().isEmpty)
        #expect(lines.isReleased)
        for output in Output.allCases { #expect(lines.levels[output] == .off) }
        #expect(lines.releaseSafely().isEmpty, "a second release is harmless")
        #expect(throws: HardwareError.self) { try lines.drive(levels(.load)) }
        #expect(lines.levels[.load] == .off)
    }

    @Test("report each change once, OFF changes before ON ones")
    func writeHookOrder() throws {
        let lines = try SimulatedOutputLines(logPath: nil)
        var seen: [String] = []
        lines.writeLog = { output, state in seen.append("\(output.rawValue) \(state.rawValue)") }

        try lines.drive(levels(.load, .charger))
        try lines.drive(levels(.load, .charger))
        try lines.drive(levels(.load, .prealarm))
        _ = lines.releaseSafely()

        #expect(seen == [
            "load on", "charger on",
            "charger off", "prealarm on",
            "load off", "prealarm off",
        ])
    }

    @Test("log one line per write: monotonic nanoseconds, output, on|off")
    func logFileFormat() throws {
        let path = GPIOTestSupport.temporaryPath("lines.log")
        defer { unlink(path) }
        let before = GPIOTestSupport.monotonicNanoseconds()
        do {
            let lines = try SimulatedOutputLines(outputs: Output.allCases, logPath: path)
            try lines.drive(levels(.load, .ledLoad))
            try lines.drive(levels(.ledTempOVP))
            _ = lines.releaseSafely()
        }
        let after = GPIOTestSupport.monotonicNanoseconds()

        let text = try #require(GPIOTestSupport.readWholeFile(path))
        #expect(text.hasSuffix("\n"))
        let records = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        var times: [Int64] = []
        var events: [String] = []
        for record in records {
            let fields = record.split(separator: " ", omittingEmptySubsequences: false)
            try #require(fields.count == 3, "\(record)")
            let time = try #require(Int64(fields[0]), "\(record)")
            #expect(Output(rawValue: String(fields[1])) != nil, "\(record)")
            #expect(fields[2] == "on" || fields[2] == "off", "\(record)")
            times.append(time)
            events.append("\(fields[1]) \(fields[2])")
        }
        #expect(events == [
            "load on", "led_load on",
            "load off", "led_load off", "led_temp_ovp on",
            "led_temp_ovp off",
        ])
        #expect(times == times.sorted())
        #expect(times.allSatisfy { before <= $0 && $0 <= after }, "CLOCK_MONOTONIC, in nanoseconds")
    }

    @Test("append to an existing log rather than replace it")
    func logAppends() throws {
        let path = GPIOTestSupport.temporaryPath("append.log")
        defer { unlink(path) }
        for _ in 0 ..< 2 {
            let lines = try SimulatedOutputLines(outputs: [.load], logPath: path)
            try lines.drive(levels(.load))
            _ = lines.releaseSafely()
        }
        let text = try #require(GPIOTestSupport.readWholeFile(path))
        #expect(text.split(separator: "\n").map { $0.split(separator: " ").dropFirst().joined(separator: " ") }
            == ["load on", "load off", "load on", "load off"])
    }

    @Test("a log that cannot be opened is refused with the path and the variable")
    func unwritableLog() {
        let path = "/nonexistent-folder-\(getpid())/lines.log"
        do {
            _ = try SimulatedOutputLines(logPath: path)
            Issue.record("opened \(path)")
        } catch {
            #expect(error.message.contains(path))
            #expect(error.message.contains("SMALLBMSD_SIMULATED_LINES_LOG"))
            #expect(error.errno == ENOENT)
        }
    }
}

@Suite("Simulated remote input")
struct SimulatedRemoteInputTests {
    @Test("starts ON and quiet; set(on:) makes the descriptor poll readable until drained")
    func pollable() throws {
        let input = try SimulatedRemoteInput()
        defer { input.release() }
        #expect(try input.isOn())
        #expect(!GPIOTestSupport.pollsReadable(input.eventDescriptor, within: 0))

        input.set(on: false)
        #expect(GPIOTestSupport.pollsReadable(input.eventDescriptor, within: 1000))
        #expect(try !input.isOn())
        try input.drainEvents()
        #expect(!GPIOTestSupport.pollsReadable(input.eventDescriptor, within: 0))

        input.set(on: true)
        input.set(on: true)
        #expect(GPIOTestSupport.pollsReadable(input.eventDescriptor, within: 1000))
        try input.drainEvents()
        #expect(!GPIOTestSupport.pollsReadable(input.eventDescriptor, within: 0), "one drain empties every pending event")
        #expect(try input.isOn())
    }

    @Test("can be flipped from another task while its owner polls it")
    func flippedFromAnotherTask() async throws {
        let input = try SimulatedRemoteInput()
        defer { input.release() }
        await Task.detached { input.set(on: false) }.value
        #expect(GPIOTestSupport.pollsReadable(input.eventDescriptor, within: 1000))
        #expect(try !input.isOn())
    }

    @Test("release closes it: reads then fail and set(on:) is ignored")
    func released() throws {
        let input = try SimulatedRemoteInput(on: false)
        input.release()
        input.release()
        input.set(on: true)
        #expect(throws: HardwareError.self) { try input.isOn() }
        #expect(throws: HardwareError.self) { try input.drainEvents() }
    }
}
