import Foundation
import Testing

@Suite("smallbmsd check-config, the real binary")
struct CheckConfigCommandTests {
    @Test func sampleConfig_isValid_andPrintsEffectiveSettings() throws {
        let result = try BinaryRunner.run(["check-config", "--config", "config/smallbmsd.toml"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("load_disconnect_v"))
        #expect(result.standardOutput.contains("prealarm_lead_s"))
    }

    /// Every sample the project ships in config/, whatever its name.
    static let samples: [String] = {
        let folder = BinaryRunner.packageRoot.appendingPathComponent("config").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".toml") }.sorted().map { "config/\($0)" }
    }()

    @Test func samplesFolder_hasTheBusAndEveryProtocolSample() {
        #expect(Self.samples == [
            "config/smallbmsd-daly.toml", "config/smallbmsd-jbd.toml", "config/smallbmsd-jk.toml",
            "config/smallbmsd-victron-ble.toml", "config/smallbmsd.toml",
        ])
    }

    @Test(arguments: samples)
    func everySample_isValid_andPrintsEachBatterysSettings(path: String) throws {
        let result = try BinaryRunner.run(["check-config", "--config", path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.hasPrefix("# \(path): valid."))
        let tables = try String(contentsOfFile: BinaryRunner.packageRoot.appendingPathComponent(path).path, encoding: .utf8)
            .components(separatedBy: "\n[[battery]]").count - 1
        #expect(result.standardOutput.components(separatedBy: "[[battery]] # battery ").count - 1 == tables)
    }

    @Test func batteryOnTheBusDevice_exitsOne_namingKeyAndLine() throws {
        let path = try BinaryRunner.temporaryFile("bad.toml", "[bus]\ndevice = \"/dev/ttyUSB0\"\n[[battery]]\nsource = \"jbd\"\ndevice = \"/dev/ttyUSB0\"\n")
        let result = try BinaryRunner.run(["check-config", "--config", path])
        #expect(result.status == 1)
        #expect(result.standardError.contains("\(path):5: battery[1].device = \"/dev/ttyUSB0\" is the M8 bus adapter's device (bus.device, line 2)"), "\(result.standardError)")
    }

    @Test(arguments: [
        ("[thresholds]\nprealarm_volts = 3.0\n", "thresholds.prealarm_volts", ":2"),
        ("[thresholds]\n\nload_disconnect_v = 2.5\n", "thresholds.load_disconnect_v", ":3"),
        ("[bus]\nbatteries = \"two\"\n", "bus.batteries", ":2"),
        ("[bus]\ndevice = \"/dev/ttyUSB0\"\n[buss]\nbaud = 9600\n", "buss", ":3"),
    ])
    func badConfig_exitsOne_namingKeyAndLine(text: String, key: String, line: String) throws {
        let path = try BinaryRunner.temporaryFile("bad.toml", text)
        let result = try BinaryRunner.run(["check-config", "--config", path])
        #expect(result.status == 1)
        #expect(result.standardError.contains(key), "\(result.standardError)")
        #expect(result.standardError.contains(path + line), "\(result.standardError)")
    }

    @Test func prealarmNotAboveLoadDisconnect_isRefused() throws {
        // With both values inside their ranges (2.60-2.80 and 2.85-3.15) the order always holds,
        // so the refusal that an installer meets is the range one; either way it names prealarm_v.
        let bad = try BinaryRunner.temporaryFile("order.toml", "[thresholds]\nload_disconnect_v = 2.80\nprealarm_v = 2.80\n")
        let result = try BinaryRunner.run(["check-config", "--config", bad])
        #expect(result.status == 1)
        #expect(result.standardError.contains("prealarm_v"))
    }

    @Test func missingFile_namesThePath() throws {
        let result = try BinaryRunner.run(["check-config", "--config", "/nonexistent/smallbmsd.toml"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("/nonexistent/smallbmsd.toml"))
    }
}

@Suite("smallbmsd check-config with Bluetooth batteries, the real binary")
struct CheckConfigBluetoothTests {
    @Test func bluetoothSample_isValid_andPrintsNoKey() throws {
        let result = try BinaryRunner.run(["check-config", "--config", "config/smallbmsd-victron-ble.toml"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("valid"))
        #expect(result.standardOutput.contains("source = \"victron-ble\""))
        let sample = try String(contentsOfFile: "config/smallbmsd-victron-ble.toml", encoding: .utf8)
        // Every key the sample writes (32 hex digits in quotes) is absent from the output.
        let keys = sample.split(separator: "\"").filter { $0.count == 32 && $0.allSatisfy(\.isHexDigit) }
        #expect(keys.count == 2)
        for key in keys { #expect(!result.standardOutput.contains(key) && !result.standardError.contains(key)) }
        #expect(result.standardOutput.components(separatedBy: "key = \"").count - 1 == 2, "\(result.standardOutput)")
    }
}
