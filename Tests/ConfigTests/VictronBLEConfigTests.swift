import BMSCore
import Foundation
import Testing
import VictronInstantReadout
@testable import Config

@Suite("[[battery]] source = \"victron-ble\"")
struct VictronBLEConfigTests {
    static let keyText = "0df4d0395b7d1a876c0c33ecb9e70dcd"

    private func battery(_ extra: String) -> String {
        """
        [[battery]]
        source = "victron-ble"
        address = "f4:12:34:56:78:9a"
        \(extra)
        """
    }

    @Test func keyInTheFile_addressUpperCased_defaultTimeoutFifteenSeconds() throws {
        let configuration = try #require(accepted(battery("key = \"\(Self.keyText)\"")))
        let only = try #require(configuration.batteries.first)
        #expect(only.source == .victronBLE)
        #expect(only.number == 1 && !configuration.hasBusAdapter)
        #expect(only.bluetooth?.address == "F4:12:34:56:78:9A")
        let key = try InstantReadoutKey(hex: Self.keyText)
        #expect(only.bluetooth?.key == key)
        #expect(only.commsTimeout == .seconds(15))
        #expect(configuration.settings.commsTimeout(ofBattery: 1) == .seconds(15))
        #expect(only.cells == 4)
    }

    @Test func effectiveSettings_showTheKeyRedacted_neverTheKey() throws {
        let configuration = try #require(accepted(battery("key = \"\(Self.keyText)\"")))
        let text = configuration.effectiveSettingsText()
        let redacted = try InstantReadoutKey(hex: Self.keyText).redacted
        #expect(text.contains("key = \"\(redacted)\""), "\(text)")
        #expect(!text.contains(Self.keyText))
        #expect(!"\(configuration)".contains(Self.keyText))
        #expect(!String(reflecting: configuration).contains("0df4d039"))
    }

    @Test func aWrongKey_isRefused_withoutEchoingIt() throws {
        let problem = try #require(onlyProblem(battery("key = \"0df4d0395b7d1a876c0c33ecb9e70d\"")))
        #expect(problem.key == "battery[1].key")
        #expect(problem.message.contains("30 hex digits, not 32"), "\(problem.message)")
        #expect(!problem.message.contains("0df4d0395b7d1a876c0c33ecb9e70d"))
    }

    @Test func noKey_orBothKeyAndKeyFile_areRefused_sayingWhereTheKeyIs() throws {
        let none = try #require(onlyProblem(battery("")))
        #expect(none.message.contains("has no key"))
        #expect(none.message.contains("Product info -> Instant readout details"))
        let both = try #require(onlyProblem(battery("key = \"\(Self.keyText)\"\nkey_file = \"/etc/smallbmsd/b1.key\"")))
        #expect(both.message.contains("both key and key_file"))
    }

    @Test func aBadAddress_orTheSameAddressTwice_areRefused() throws {
        let bad = try #require(onlyProblem("""
            [[battery]]
            source = "victron-ble"
            address = "F4:12:34:56:78"
            key = "\(Self.keyText)"
            """))
        #expect(bad.key == "battery[1].address")
        #expect(bad.message.contains("is not a Bluetooth address"))
        let twice = try #require(onlyProblem(battery("key = \"\(Self.keyText)\"") + "\n" + battery("key = \"\(Self.keyText)\"")))
        #expect(twice.message.contains("battery 1's address too"), "\(twice.message)")
    }

    @Test func moreThanEightCells_isRefused_theReadoutCarriesEight() throws {
        let problem = try #require(onlyProblem(battery("key = \"\(Self.keyText)\"\ncells = 16")))
        #expect(problem.key == "battery[1].cells")
        #expect(problem.message.contains("at most 8 cells"))
    }

    @Test func aCriticalFloorBelowTheReadout_isAWarning() throws {
        let low = try #require(accepted("[thresholds]\ncritical_cell_v = 2.50\n" + battery("key = \"\(Self.keyText)\"")))
        #expect(low.warnings.count == 1)
        #expect(low.warnings.first?.contains("critical_cell_v = 2.50 cannot be seen through Bluetooth") == true, "\(low.warnings)")
        let seen = try #require(accepted("[thresholds]\ncritical_cell_v = 2.60\n" + battery("key = \"\(Self.keyText)\"")))
        #expect(seen.warnings.isEmpty)
        // The default floor (2.50 V) is below the readout too: said as well.
        #expect(accepted(battery("key = \"\(Self.keyText)\""))?.warnings.count == 1)
    }

    @Test func keyFile_isReadByTheLoader_andAWorldReadableOneIsAWarning() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smallbmsd-keys-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let keyFile = folder + "/battery1.key"
        try (Self.keyText + "\n").write(toFile: keyFile, atomically: true, encoding: .utf8)
        let config = folder + "/smallbmsd.toml"
        try battery("key_file = \"battery1.key\"").write(toFile: config, atomically: true, encoding: .utf8)

        chmod(keyFile, 0o644)
        let open = try ConfigurationLoader.load(path: config)
        let key = try InstantReadoutKey(hex: Self.keyText)
        #expect(open.batteries.first?.bluetooth?.key == key)
        let readable = open.warnings.filter { $0.contains("key_file") }
        #expect(readable.count == 1)
        #expect(readable.first?.contains("readable by every user (mode 0644)") == true, "\(open.warnings)")

        chmod(keyFile, 0o600)
        let closed = try ConfigurationLoader.load(path: config)
        #expect(closed.warnings.filter { $0.contains("key_file") }.isEmpty)

        try "not a key\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader.load(path: config) }
    }

    @Test func socOverBluetooth_inVEDirect_addressAndKey() throws {
        let configuration = try #require(accepted("""
            [vedirect]
            address = "C0:3B:12:34:56:78"
            key = "\(Self.keyText)"
            """))
        #expect(configuration.vedirect?.bluetooth?.address == "C0:3B:12:34:56:78")
        #expect(configuration.vedirect?.bluetooth?.key != nil)
        #expect(!configuration.effectiveSettingsText().contains(Self.keyText))
        let problem = try #require(onlyProblem("[vedirect]\naddress = \"C0:3B:12:34:56:78\"\n"))
        #expect(problem.message.contains("has no key"))
    }

    @Test func theSampleConfig_withTwoBluetoothBatteries_isValid() throws {
        let configuration = try ConfigurationLoader.load(path: packageRoot() + "/config/smallbmsd-victron-ble.toml")
        #expect(configuration.batteries.map(\.source) == [.victronBLE, .victronBLE])
        #expect(configuration.warnings.isEmpty)
    }
}
