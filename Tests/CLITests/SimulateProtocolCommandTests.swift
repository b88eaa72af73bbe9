import BMSCore
import Daly
import Devices
import Foundation
import JBD
import JK
import SerialBMS
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `smallbmsd simulate --protocol`: the real binary as a BMS on a pty, polled by the same
/// `PollSession` the daemon uses.
@Suite("smallbmsd simulate --protocol jbd|jk|daly, the real binary")
struct SimulateProtocolCommandTests {
    /// Starts the simulator and returns it with the pty path it printed.
    private func startSimulator(_ arguments: [String]) throws -> (Process, String) {
        let process = Process()
        process.executableURL = BinaryRunner.executable
        process.arguments = ["simulate"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        let path = text.split(separator: " ").first { $0.hasPrefix("/dev/pts/") }.map(String.init) ?? ""
        return (process, path)
    }

    /// Polls `path` like the daemon for `seconds` and returns the readings.
    private func poll<P: PollProtocol>(_ bms: P, path: String, cells: Int, seconds: Double) throws -> [BatteryReading] {
        let port = try SerialPort(path: path, baud: bms.defaultBaud)
        defer { port.close() }
        var session = PollSession(protocol: bms, battery: 1, cells: cells, pollInterval: .milliseconds(500))
        var readings: [BatteryReading] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        let started = Date()
        func now() -> Instant { Instant(sinceOrigin: .milliseconds(Int64(Date().timeIntervalSince(started) * 1000))) }
        while Date().timeIntervalSince(started) < seconds {
            let out = session.advance(at: now())
            if !out.send.isEmpty { try port.write(out.send) }
            readings += out.readings
            var entry = pollfd(fd: port.descriptor, events: Int16(POLLIN), revents: 0)
            _ = Glibc.poll(&entry, 1, 20)
            let count = try buffer.withUnsafeMutableBytes { try port.read(into: $0) }
            guard count > 0 else { continue }
            let answer = session.receive(Array(buffer[0..<count]), at: now())
            if !answer.send.isEmpty { try port.write(answer.send) }
            readings += answer.readings
        }
        return readings
    }

    @Test(arguments: ["jbd", "jk", "daly"])
    func simulatedBMS_answersPolls_withTheScenariosCells(_ name: String) throws {
        let (process, path) = try startSimulator(["--protocol", name, "--scenario", "steady", "--cells", "8"])
        defer { process.terminate(); process.waitUntilExit() }
        #expect(path.hasPrefix("/dev/pts/"))
        let readings: [BatteryReading]
        switch name {
        case "jbd": readings = try poll(.jbd, path: path, cells: 8, seconds: 2.5)
        case "jk": readings = try poll(.jk, path: path, cells: 8, seconds: 2.5)
        default: readings = try poll(.daly, path: path, cells: 8, seconds: 2.5)
        }
        #expect(readings.count >= 3, "\(name): \(readings.count) readings in 2.5 s at a 0.5 s poll")
        #expect(readings.last?.cellMillivolts == Array(repeating: 3300, count: 8))
        #expect(readings.last?.flags.allowsDischarge == true)
        #expect(readings.last?.flags.allowsCharge == true)
    }

    @Test func simulatedJBD_discharge_theCellFalls() throws {
        let (process, path) = try startSimulator(["--protocol", "jbd", "--scenario", "discharge", "--speed", "20"])
        defer { process.terminate(); process.waitUntilExit() }
        let readings = try poll(.jbd, path: path, cells: 4, seconds: 3)
        // At 20 times real time the 3 s cover scenario seconds 0 to 60: cell 2 reaches 2.75 V at 40.
        #expect(readings.map { $0.cellMillivolts[1] }.min() == 2750, "\(readings.map { $0.cellMillivolts[1] })")
    }

    @Test func simulateProtocol_refusesABaudTheBMSCannotUse_andSeveralBatteries() throws {
        let baud = try BinaryRunner.run(["simulate", "--protocol", "jk", "--baud", "9600"])
        #expect(baud.status != 0)
        #expect(baud.standardError.contains("a jk BMS talks at 115200"))
        let batteries = try BinaryRunner.run(["simulate", "--protocol", "daly", "--batteries", "2"])
        #expect(batteries.status != 0)
        #expect(batteries.standardError.contains("a BMS is one battery"))
        let unknown = try BinaryRunner.run(["simulate", "--protocol", "pylontech"])
        #expect(unknown.standardError.contains("unknown protocol \"pylontech\": one of m8, jbd, jk, daly"))
    }
}
