import BMSCore
import Testing
@testable import Config

@Suite("Effective settings text")
struct EffectiveSettingsTests {
    @Test func defaultsListEveryKeyWithItsValue() {
        let text = Configuration().effectiveSettingsText()
        for line in [
            "[bus]", "device = \"/dev/ttyUSB0\"", "baud = 115200", "batteries = 1", "cells_per_battery = 4",
            "comms_timeout_s = 3.0", "[thresholds]", "load_disconnect_v = 2.80", "critical_cell_v = 2.50",
            "prealarm_lead_s = 30", "charge_min_temp_c = 5.0", "confirm_s = 1.0", "[gpio]", "chip = \"gpiochip0\"",
            "[gpio.load]", "line = \"GPIO17\"", "active_low = false", "[remote]", "mode = \"gpio\"", "bias = \"pull-up\"",
            "debounce_ms = 50", "[status]", "path = \"/run/smallbmsd/status.json\"",
            "# [gpio.led_load] absent: no blue \"load on\" LED",
            "# [vedirect] absent: no VE.Direct monitor: no state-of-charge cut-off (rule 10)",
        ] {
            #expect(text.split(separator: "\n").contains(Substring(line)), "missing: \(line)")
        }
        let keyCount = ConfigurationSchema().tables.filter { $0.optional == nil }.flatMap(\.keys).count
        #expect(text.split(separator: "\n").filter { $0.contains(" = ") && !$0.hasPrefix("#") }.count == keyCount)
    }

    @Test func textLoadsBackToTheSameConfiguration() throws {
        let original = try #require(accepted("""
            [bus]
            device = "/dev/serial/by-id/usb-\\"odd\\"-port0"
            batteries = 4
            cells_per_battery = 8
            comms_timeout_s = 2.5
            [thresholds]
            critical_cell_v = 0
            load_disconnect_v = 2.655
            prealarm_lead_s = 45.25
            charge_min_temp_c = 2.5
            confirm_s = 0.1
            [gpio]
            chip = "simulated"
            [gpio.load]
            line = 3
            active_low = true
            [gpio.led_temp_ovp]
            [remote]
            mode = "always-on"
            bias = "as-is"
            [vedirect]
            soc_load_off_pct = 7.5
            """))
        let text = original.effectiveSettingsText()
        #expect(text.contains("critical_cell_v = 0.00"))
        #expect(text.contains("load_disconnect_v = 2.655"))
        #expect(text.contains("prealarm_lead_s = 45.25"))
        #expect(text.contains("soc_load_off_pct = 7.5"))
        #expect(text.contains("# [gpio.led_load] absent"))
        #expect(accepted(text) == original)
    }

    /// Found by the config fuzzer (Tests/Fuzz/crashes/config/crash-soc-percent-precision): a
    /// percentage with four decimals was printed with three and loaded back as another value.
    @Test func stateOfChargeWithManyDecimals_loadsBackTheSame() throws {
        let original = try #require(accepted("""
            [vedirect]
            device = "/dev/ttyUSB1"
            soc_prealarm_pct = 15
            soc_load_off_pct = 10.5
            soc_load_on_pct = 20.1259
            """))
        #expect(original.settings.stateOfCharge?.loadOnPercent == 20.126)
        let again = try #require(accepted(original.effectiveSettingsText()))
        #expect(again == original)
    }

    @Test func sampleRoundTrips() throws {
        let sample = try ConfigurationLoader.load(path: samplePath)
        #expect(accepted(sample.effectiveSettingsText()) == sample)
    }
}
