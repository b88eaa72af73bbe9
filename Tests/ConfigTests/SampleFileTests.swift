import BMSCore
import Foundation
import Testing
@testable import Config

@Suite("The shipped sample file")
struct SampleFileTests {
    @Test func sampleLoads_asDefaultsWithBothLEDs() throws {
        let configuration = try ConfigurationLoader.load(path: samplePath)
        var expected = Configuration()
        expected.gpio.outputs[.ledLoad] = OutputLineConfiguration(line: .name("GPIO23"))
        expected.gpio.outputs[.ledTempOVP] = OutputLineConfiguration(line: .name("GPIO24"))
        #expect(configuration == expected)
        #expect(configuration.vedirect == nil)
        #expect(configuration.settings.stateOfCharge == nil)
    }

    @Test func sampleDocumentsEveryKey_withItsDefault() throws {
        let text = try String(contentsOfFile: samplePath, encoding: .utf8)
        let schema = ConfigurationSchema()
        for table in schema.tables {
            #expect(text.contains("[\(table.name)]"), "no [\(table.name)] in the sample")
            for key in table.keys {
                let defaultText = schema.defaultText(of: key)
                #expect(text.contains("\(key.name) = \(defaultText)"), "\(key.path) = \(defaultText) not in the sample")
            }
        }
    }

    @Test func sampleShowsVEDirectCommentedOut() throws {
        let text = try String(contentsOfFile: samplePath, encoding: .utf8)
        #expect(text.contains("# [vedirect]"))
        #expect(!text.contains("\n[vedirect]"))
    }

    @Test func sampleWithVEDirectUncommented_loadsItsDefaults() throws {
        let text = try String(contentsOfFile: samplePath, encoding: .utf8)
        let uncommented = text.replacingOccurrences(of: "# [vedirect]", with: "[vedirect]")
            .replacingOccurrences(of: "# device", with: "device")
            .replacingOccurrences(of: "# soc_", with: "soc_")
        let configuration = try #require(accepted(uncommented))
        #expect(configuration.vedirect == VEDirectConfiguration(device: "/dev/ttyUSB1"))
        #expect(configuration.settings.stateOfCharge == StateOfChargeLimits())
    }
}

@Suite("The per-protocol sample files")
struct ProtocolSampleFileTests {
    private func sample(_ name: String) -> String { packageRoot() + "/config/smallbmsd-\(name).toml" }

    @Test func jbdSample_twoJBDPacks_noBusAdapter() throws {
        let configuration = try ConfigurationLoader.load(path: sample("jbd"))
        #expect(!configuration.hasBusAdapter)
        #expect(configuration.batteries.map(\.source) == [.jbd, .jbd])
        #expect(configuration.batteries.allSatisfy { $0.serial?.device.hasPrefix("/dev/serial/by-id/") == true })
    }

    @Test func jkSample_one16CellJK() throws {
        let configuration = try ConfigurationLoader.load(path: sample("jk"))
        #expect(configuration.batteries.map(\.cells) == [16])
        #expect(configuration.settings.batteryCount == 1)
    }

    @Test func dalySample_busBatteryFirst_thenTwoDalys() throws {
        let configuration = try ConfigurationLoader.load(path: sample("daly"))
        #expect(configuration.hasBusAdapter)
        #expect(configuration.batteries.map(\.number) == [2, 3])
        #expect(configuration.batteries.map(\.cells) == [8, 8])
        #expect(configuration.settings.commsTimeout(ofBattery: 3) == .seconds(5))
    }

    @Test func everySerialBatteryKey_isDocumentedInTheJBDSample() throws {
        let text = try String(contentsOfFile: sample("jbd"), encoding: .utf8)
        for key in ConfigurationSchema().batteryKeys where key.sources.contains(.jbd) {
            #expect(text.contains("\n\(key.name) = "), "\(key.name) not in the JBD sample")
        }
    }

    @Test func everyBluetoothBatteryKey_isDocumentedInTheVictronBLESample() throws {
        let text = try String(contentsOfFile: sample("victron-ble"), encoding: .utf8)
        for key in ConfigurationSchema().batteryKeys where key.sources.contains(.victronBLE) {
            // key_file is shown commented out: a battery has key or key_file, not both.
            #expect(text.contains("\n\(key.name) = ") || text.contains("\n# \(key.name) = "), "\(key.name) not in the victron-ble sample")
        }
    }
}
