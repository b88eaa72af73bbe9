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
