import BMSCore
import Testing
@testable import Config

@Suite("Defaults, accepted forms and unit conversion")
struct DefaultsAndConversionTests {
    @Test func emptyFileGivesDefaults() throws {
        #expect(accepted("") == Configuration())
        #expect(accepted("# only a comment\n\n") == Configuration())
    }

    @Test func defaultsAreBehaviourMdValues() {
        let configuration = Configuration()
        #expect(configuration.bus == BusConfiguration(device: "/dev/ttyUSB0", baud: 115200))
        #expect(configuration.settings == Settings())
        #expect(configuration.gpio.chip == "gpiochip0")
        #expect(!configuration.gpio.isSimulated)
        #expect(configuration.gpio.outputs == [
            .load: OutputLineConfiguration(line: .name("GPIO17"), activeLow: false),
            .charger: OutputLineConfiguration(line: .name("GPIO27"), activeLow: false),
            .prealarm: OutputLineConfiguration(line: .name("GPIO22"), activeLow: false),
        ])
        #expect(configuration.remote == RemoteConfiguration(
            mode: .gpio, line: .name("GPIO5"), activeLow: true, bias: .pullUp, debounceMilliseconds: 50))
        #expect(configuration.statusPath == "/run/smallbmsd/status.json")
        #expect(configuration.vedirect == nil)
    }

    @Test func emptyTablesGiveDefaults() {
        #expect(accepted("[bus]\n[thresholds]\n[gpio]\n[gpio.load]\n[remote]\n[status]\n") == Configuration())
    }

    @Test func integersAcceptedWhereRealsAreExpected() throws {
        let configuration = try #require(accepted("""
            [bus]
            comms_timeout_s = 4
            [thresholds]
            prealarm_lead_s = 45
            confirm_s = 1
            recover_s = 10
            charge_max_temp_c = 45
            temp_hysteresis_c = 3
            """))
        #expect(configuration.settings.commsTimeout == .seconds(4))
        #expect(configuration.settings.prealarmLead == .seconds(45))
        #expect(configuration.settings.confirmDelay == .seconds(1))
        #expect(configuration.settings.recoverDelay == .seconds(10))
        #expect(configuration.settings.chargeMaxDecicelsius == 450)
        #expect(configuration.settings.temperatureHysteresisDecicelsius == 30)
    }

    @Test func voltsBecomeMillivolts_degreesDecicelsius_secondsDurations() throws {
        let configuration = try #require(accepted("""
            [thresholds]
            load_disconnect_v = 2.65
            load_reconnect_v = 3.3
            critical_cell_v = 2.405
            prealarm_v = 2.9
            prealarm_clear_v = 3.0
            charge_disconnect_v = 3.65
            charge_reconnect_v = 3.45
            charge_min_temp_c = 2.5
            charge_max_temp_c = 44.9
            temp_hysteresis_c = 1.5
            confirm_s = 0.1
            recover_s = 2.5
            """))
        let settings = configuration.settings
        #expect(settings.loadDisconnectMillivolts == 2650)
        #expect(settings.loadReconnectMillivolts == 3300)
        #expect(settings.criticalCellMillivolts == 2405)
        #expect(settings.prealarmMillivolts == 2900)
        #expect(settings.prealarmClearMillivolts == 3000)
        #expect(settings.chargeDisconnectMillivolts == 3650)
        #expect(settings.chargeReconnectMillivolts == 3450)
        #expect(settings.chargeMinDecicelsius == 25)
        #expect(settings.chargeMaxDecicelsius == 449)
        #expect(settings.temperatureHysteresisDecicelsius == 15)
        #expect(settings.confirmDelay == .milliseconds(100))
        #expect(settings.recoverDelay == .milliseconds(2500))
    }

    @Test func rangeBoundsAreAllowed() throws {
        let configuration = try #require(accepted("""
            [bus]
            batteries = 20
            cells_per_battery = 8
            baud = 9600
            [thresholds]
            load_disconnect_v = 2.60
            prealarm_v = 3.15
            prealarm_clear_v = 3.15
            prealarm_lead_s = 3600
            """))
        #expect(configuration.settings.batteryCount == 20)
        #expect(configuration.settings.cellsPerBattery == 8)
        #expect(configuration.bus.baud == 9600)
        #expect(configuration.settings.loadDisconnectMillivolts == 2600)
        #expect(configuration.settings.prealarmLead == .seconds(3600))
    }

    @Test func criticalCellZeroDisablesTheFloor() throws {
        let configuration = try #require(accepted("[thresholds]\ncritical_cell_v = 0\n"))
        #expect(configuration.settings.criticalCellMillivolts == nil)
        #expect(accepted("[thresholds]\ncritical_cell_v = 0.0\n")?.settings.criticalCellMillivolts == nil)
    }

    @Test func lineAcceptsANameOrAnOffset() throws {
        let configuration = try #require(accepted("""
            [gpio]
            chip = "/dev/gpiochip4"
            [gpio.load]
            line = 17
            active_low = true
            [gpio.charger]
            line = "PIN_13"
            [remote]
            line = 0
            """))
        #expect(configuration.gpio.chip == "/dev/gpiochip4")
        #expect(configuration.gpio.outputs[.load] == OutputLineConfiguration(line: .offset(17), activeLow: true))
        #expect(configuration.gpio.outputs[.charger] == OutputLineConfiguration(line: .name("PIN_13")))
        #expect(configuration.remote.line == .offset(0))
    }

    @Test func ledTablesAreOptional_andTheirLineDefaults() throws {
        let without = try #require(accepted("[gpio]\nchip = \"gpiochip0\"\n"))
        #expect(without.gpio.outputs[.ledLoad] == nil)
        #expect(without.gpio.outputs[.ledTempOVP] == nil)

        let with = try #require(accepted("[gpio.led_load]\n[gpio.led_temp_ovp]\nactive_low = true\n"))
        #expect(with.gpio.outputs[.ledLoad] == OutputLineConfiguration(line: .name("GPIO23")))
        #expect(with.gpio.outputs[.ledTempOVP] == OutputLineConfiguration(line: .name("GPIO24"), activeLow: true))
    }

    @Test func simulatedChip() throws {
        #expect(accepted("[gpio]\nchip = \"simulated\"\n")?.gpio.isSimulated == true)
    }

    @Test func remoteAlwaysOnAndEveryBias() throws {
        #expect(accepted("[remote]\nmode = \"always-on\"\n")?.remote.mode == .alwaysOn)
        for bias in LineBias.allCases {
            #expect(accepted("[remote]\nbias = \"\(bias.rawValue)\"\n")?.remote.bias == bias)
        }
    }

    @Test func vedirectTableSwitchesOnTheSoCRule() throws {
        let configuration = try #require(accepted("""
            [vedirect]
            device = "/dev/ttyS2"
            soc_prealarm_pct = 30
            soc_load_off_pct = 22.5
            soc_load_on_pct = 40
            """))
        #expect(configuration.vedirect == VEDirectConfiguration(device: "/dev/ttyS2"))
        #expect(configuration.settings.stateOfCharge == StateOfChargeLimits(
            prealarmPercent: 30, loadOffPercent: 22.5, loadOnPercent: 40))

        let defaults = try #require(accepted("[vedirect]\n"))
        #expect(defaults.vedirect == VEDirectConfiguration())
        #expect(defaults.settings.stateOfCharge == StateOfChargeLimits())
    }

    @Test func dottedKeysAndInlineTablesAreTheSameKeys() throws {
        let configuration = try #require(accepted("""
            bus.batteries = 2
            [gpio]
            load.line = 6
            charger = { line = 7, active_low = true }
            """))
        #expect(configuration.settings.batteryCount == 2)
        #expect(configuration.gpio.outputs[.load]?.line == .offset(6))
        #expect(configuration.gpio.outputs[.charger] == OutputLineConfiguration(line: .offset(7), activeLow: true))
    }

    @Test func windowsLineEndingsAreAccepted() throws {
        let configuration = try #require(accepted("[bus]\r\nbatteries = 3\r\n"))
        #expect(configuration.settings.batteryCount == 3)
    }
}
