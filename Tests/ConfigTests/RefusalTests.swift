import Testing
@testable import Config

@Suite("Refusals name the file, the key, the line and what is allowed")
struct RefusalTests {
    // MARK: Unknown keys and tables

    @Test func refusesUnknownKey_withKnownKeysAndSuggestion() throws {
        let problem = try #require(onlyProblem("""
            [thresholds]
            load_disconnect_v = 2.80

            prealarm_volts = 3.0
            """))
        #expect(problem.key == "thresholds.prealarm_volts")
        #expect(problem.line == 4)
        #expect(problem.message == """
            unknown key "thresholds.prealarm_volts" (known keys in [thresholds]: load_disconnect_v, \
            load_reconnect_v, critical_cell_v, prealarm_v, prealarm_clear_v, prealarm_lead_s, \
            charge_disconnect_v, charge_reconnect_v, charge_min_temp_c, charge_max_temp_c, \
            temp_hysteresis_c, confirm_s, recover_s; did you mean "prealarm_v"?)
            """)
    }

    @Test func refusesKeyInTheWrongTable_sayingWhereItBelongs() throws {
        let problem = try #require(onlyProblem("[thresholds]\nbatteries = 2\n"))
        #expect(problem.line == 2)
        #expect(problem.message.hasPrefix("unknown key \"thresholds.batteries\""))
        #expect(problem.message.contains("\"batteries\" belongs in [bus]"))
    }

    @Test func refusesKeyOutsideAnyTable() throws {
        let problem = try #require(onlyProblem("# comment\nbatteries = 2\n[bus]\n"))
        #expect(problem.key == "batteries")
        #expect(problem.line == 2)
        #expect(problem.message.hasPrefix("unknown key \"batteries\" outside any table (known tables: bus, thresholds, gpio, remote, status, metrics, vedirect"))
        #expect(problem.message.contains("belongs in [bus]"))
    }

    @Test func refusesUnknownTable_withSuggestion() throws {
        let problem = try #require(onlyProblem("[bus]\nbatteries = 2\n[thresholdz]\nconfirm_s = 1.0\n"))
        #expect(problem.key == "thresholdz")
        #expect(problem.line == 3)
        #expect(problem.message == "unknown table [thresholdz] (known tables: bus, thresholds, gpio, remote, status, metrics, vedirect, recorder, history; did you mean [thresholds]?)")
    }

    @Test func refusesUnknownSubTable() throws {
        let problem = try #require(onlyProblem("[gpio]\nchip = \"gpiochip0\"\n[gpio.led_lod]\nline = 23\n"))
        #expect(problem.key == "gpio.led_lod")
        #expect(problem.line == 3)
        #expect(problem.message.hasPrefix("unknown table [gpio.led_lod] (known keys in [gpio]: chip; known tables in [gpio]: load, charger, prealarm, led_load, led_temp_ovp"))
        #expect(problem.message.hasSuffix("did you mean [gpio.led_load]?)"))
    }

    @Test func refusesUnknownKeyInOutputTable() throws {
        let problem = try #require(onlyProblem("[gpio.load]\nline = 17\nactivelow = true\n"))
        #expect(problem.key == "gpio.load.activelow")
        #expect(problem.line == 3)
        #expect(problem.message.contains("did you mean \"active_low\"?"))
    }

    // MARK: Wrong types

    @Test func refusesWrongType_namingTypeAndExpectation() throws {
        let problem = try #require(onlyProblem("[bus]\ndevice = \"/dev/ttyUSB0\"\nbatteries = \"two\"\n"))
        #expect(problem.key == "bus.batteries")
        #expect(problem.line == 3)
        #expect(problem.message == "bus.batteries = \"two\" has the wrong type: a string, expected an integer 1 to 20")
    }

    @Test(arguments: [
        ("[thresholds]\n\nconfirm_s = \"1\"\n", "thresholds.confirm_s", "a string, expected a number 0.1 to 60.0"),
        ("[thresholds]\n\nprealarm_v = true\n", "thresholds.prealarm_v", "a boolean, expected a number 2.85 to 3.15"),
        ("[bus]\n\nbatteries = 2.0\n", "bus.batteries", "a floating-point number, expected an integer 1 to 20"),
        ("[bus]\n\ndevice = 0\n", "bus.device", "an integer, expected a string: the serial device of the M8 bus adapter"),
        ("[gpio.load]\n\nactive_low = \"yes\"\n", "gpio.load.active_low", "a string, expected true or false"),
        ("[gpio.load]\n\nline = 1.5\n", "gpio.load.line", "a floating-point number, expected a line name such as \"GPIO17\" or a line offset"),
        ("[remote]\n\nmode = 1\n", "remote.mode", "an integer, expected \"gpio\" or \"always-on\""),
        ("[status]\n\npath = [\"/run/a\"]\n", "status.path", "an array, expected a string"),
        ("[gpio]\n\nload = 17\n", "gpio.load", "an integer, expected a table [gpio.load]"),
    ])
    func refusesWrongTypeOnItsLine(text: String, key: String, expectation: String) throws {
        let problem = try #require(onlyProblem(text))
        #expect(problem.key == key)
        #expect(problem.line == 3)
        #expect(problem.message.contains("has the wrong type: \(expectation)"), "\(problem.message)")
    }

    @Test func refusesTableThatIsNotATable() throws {
        let problem = try #require(onlyProblem("bus = \"/dev/ttyUSB0\"\n"))
        #expect(problem.key == "bus")
        #expect(problem.line == 1)
        #expect(problem.message == "bus = \"/dev/ttyUSB0\" has the wrong type: a string, expected a table [bus]")
    }

    // MARK: Ranges

    @Test func refusesPrealarmOutOfRange_exactMessage() throws {
        let error = try #require(refused("[thresholds]\nprealarm_v = 2.5\n"))
        #expect(error.description == "/etc/smallbmsd/smallbmsd.toml:2: thresholds.prealarm_v = 2.5 is out of range: allowed 2.85 to 3.15 (default 3.10)")
    }

    @Test(arguments: [
        ("bus", "batteries", "0", "is out of range: allowed 1 to 20 (default 1)"),
        ("bus", "batteries", "21", "is out of range: allowed 1 to 20 (default 1)"),
        ("bus", "cells_per_battery", "6", "is not supported: allowed 4 or 8 (default 4)"),
        ("bus", "baud", "9601", "is not supported: allowed 9600, 19200, 38400, 57600 or 115200 (default 115200)"),
        ("bus", "comms_timeout_s", "1.5", "is out of range: allowed 2.0 to 60.0 (default 3.0)"),
        ("bus", "comms_timeout_s", "61", "is out of range: allowed 2.0 to 60.0 (default 3.0)"),
        ("thresholds", "load_disconnect_v", "2.59", "is out of range: allowed 2.60 to 2.80 (default 2.80)"),
        ("thresholds", "load_disconnect_v", "2.81", "is out of range: allowed 2.60 to 2.80 (default 2.80)"),
        ("thresholds", "load_reconnect_v", "2.85", "is out of range: allowed 2.90 to 3.40 (default 3.20)"),
        ("thresholds", "load_reconnect_v", "3.5", "is out of range: allowed 2.90 to 3.40 (default 3.20)"),
        ("thresholds", "critical_cell_v", "1.99", "is out of range: allowed 2.00 to 2.70, or 0 to disable (default 2.50)"),
        ("thresholds", "critical_cell_v", "-1", "is out of range: allowed 2.00 to 2.70, or 0 to disable (default 2.50)"),
        ("thresholds", "prealarm_v", "2.84", "is out of range: allowed 2.85 to 3.15 (default 3.10)"),
        ("thresholds", "prealarm_v", "3.16", "is out of range: allowed 2.85 to 3.15 (default 3.10)"),
        ("thresholds", "prealarm_clear_v", "3.41", "is out of range: allowed 2.90 to 3.40 (default 3.20)"),
        ("thresholds", "prealarm_lead_s", "29", "is out of range: allowed 30 to 3600 (default 30)"),
        ("thresholds", "prealarm_lead_s", "3601", "is out of range: allowed 30 to 3600 (default 30)"),
        ("thresholds", "charge_disconnect_v", "3.44", "is out of range: allowed 3.45 to 3.90 (default 3.75)"),
        ("thresholds", "charge_disconnect_v", "3.95", "is out of range: allowed 3.45 to 3.90 (default 3.75)"),
        ("thresholds", "charge_reconnect_v", "3.25", "is out of range: allowed 3.30 to 3.80 (default 3.60)"),
        ("thresholds", "charge_min_temp_c", "-1", "is out of range: allowed 0.0 to 20.0 (default 5.0)"),
        ("thresholds", "charge_min_temp_c", "21", "is out of range: allowed 0.0 to 20.0 (default 5.0)"),
        ("thresholds", "charge_max_temp_c", "29.9", "is out of range: allowed 30.0 to 60.0 (default 50.0)"),
        ("thresholds", "charge_max_temp_c", "61", "is out of range: allowed 30.0 to 60.0 (default 50.0)"),
        ("thresholds", "temp_hysteresis_c", "0.4", "is out of range: allowed 0.5 to 10.0 (default 2.0)"),
        ("thresholds", "temp_hysteresis_c", "11", "is out of range: allowed 0.5 to 10.0 (default 2.0)"),
        ("thresholds", "confirm_s", "0.05", "is out of range: allowed 0.1 to 60.0 (default 1.0)"),
        ("thresholds", "confirm_s", "0", "is out of range: allowed 0.1 to 60.0 (default 1.0)"),
        ("thresholds", "recover_s", "0.5", "is out of range: allowed 1.0 to 3600.0 (default 5.0)"),
        ("gpio.load", "line", "-1", "is out of range: a line offset is 0 to 65535 (default \"GPIO17\")"),
        ("gpio.led_load", "line", "70000", "is out of range: a line offset is 0 to 65535 (default \"GPIO23\")"),
        ("remote", "debounce_ms", "-1", "is out of range: allowed 0 to 1000 (default 50)"),
        ("remote", "debounce_ms", "1001", "is out of range: allowed 0 to 1000 (default 50)"),
        ("vedirect", "soc_prealarm_pct", "101", "is out of range: allowed 0 to 100 (default 15)"),
        ("vedirect", "soc_load_off_pct", "-0.5", "is out of range: allowed 0 to 100 (default 10)"),
    ])
    func refusesValueOutOfRange_namingKeyLineAndAllowedRange(table: String, key: String, value: String, reason: String) throws {
        let problem = try #require(onlyProblem("[\(table)]\n# a comment line\n\(key) = \(value)\n"))
        #expect(problem.key == "\(table).\(key)")
        #expect(problem.line == 3)
        #expect(problem.message == "\(table).\(key) = \(value) \(reason)")
    }

    @Test(arguments: ["nan", "+nan", "inf", "-inf"])
    func refusesNonFiniteNumbers(value: String) throws {
        let problem = try #require(onlyProblem("[thresholds]\nconfirm_s = \(value)\n"))
        #expect(problem.key == "thresholds.confirm_s")
        #expect(problem.line == 2)
        #expect(problem.message.contains("is not a finite number: allowed 0.1 to 60.0 (default 1.0)"))
    }

    @Test(arguments: [
        ("bus", "device"), ("gpio", "chip"), ("status", "path"), ("metrics", "textfile"), ("vedirect", "device"), ("gpio.load", "line"),
    ])
    func refusesEmptyPathsAndNames(table: String, key: String) throws {
        let problem = try #require(onlyProblem("[\(table)]\n\(key) = \"  \"\n"))
        #expect(problem.key == "\(table).\(key)")
        #expect(problem.line == 2)
        #expect(problem.message.hasPrefix("\(table).\(key) = \"  \" is empty: expected "))
    }

    // MARK: Choices

    @Test func refusesUnknownRemoteMode_withSuggestion() throws {
        let problem = try #require(onlyProblem("[remote]\nmode = \"alwayson\"\n"))
        #expect(problem.key == "remote.mode")
        #expect(problem.line == 2)
        #expect(problem.message == "remote.mode = \"alwayson\" is not allowed: allowed \"gpio\" or \"always-on\" (default \"gpio\"); did you mean \"always-on\"?")
    }

    @Test func refusesUnknownBias_listingTheFour() throws {
        let problem = try #require(onlyProblem("[remote]\nline = \"GPIO5\"\nbias = \"pullup\"\n"))
        #expect(problem.key == "remote.bias")
        #expect(problem.line == 3)
        #expect(problem.message == "remote.bias = \"pullup\" is not allowed: allowed \"pull-up\", \"pull-down\", \"disabled\" or \"as-is\" (default \"pull-up\"); did you mean \"pull-up\"?")
    }

    // MARK: Order between keys

    /// The spec's ranges (2.60-2.80 and 2.85-3.15) keep these two apart, so a prealarm_v not above
    /// load_disconnect_v is always out of its own range; the refusal still names the key and line.
    @Test func refusesPrealarmNotAboveLoadDisconnect_namingKeyAndLine() throws {
        let problem = try #require(onlyProblem("[thresholds]\nload_disconnect_v = 2.80\nprealarm_v = 2.75\n"))
        #expect(problem.key == "thresholds.prealarm_v")
        #expect(problem.line == 3)
        #expect(problem.message.hasPrefix("thresholds.prealarm_v = 2.75 is out of range: allowed 2.85 to 3.15"))
    }

    @Test func refusesPrealarmClearBelowPrealarm_namingBothKeys() throws {
        let problem = try #require(onlyProblem("[thresholds]\nprealarm_v = 3.10\nprealarm_clear_v = 3.00\n"))
        #expect(problem.key == "thresholds.prealarm_clear_v")
        #expect(problem.line == 3)
        #expect(problem.message.hasPrefix("thresholds.prealarm_clear_v (3.00) must be at or above thresholds.prealarm_v (3.10): "))
    }

    @Test func acceptsPrealarmClearEqualToPrealarm() {
        #expect(accepted("[thresholds]\nprealarm_v = 3.00\nprealarm_clear_v = 3.00\n") != nil)
    }

    @Test func refusesCriticalCellNotBelowLoadDisconnect() throws {
        let problem = try #require(onlyProblem("[thresholds]\ncritical_cell_v = 2.65\nload_disconnect_v = 2.65\n"))
        #expect(problem.key == "thresholds.critical_cell_v")
        #expect(problem.line == 2)
        #expect(problem.message.hasPrefix("thresholds.critical_cell_v (2.65) must be below thresholds.load_disconnect_v (2.65): "))
    }

    @Test func acceptsDisabledCriticalCellWithAnyLoadDisconnect() {
        #expect(accepted("[thresholds]\ncritical_cell_v = 0\nload_disconnect_v = 2.60\n") != nil)
    }

    @Test func refusesChargeReconnectNotBelowChargeDisconnect() throws {
        let problem = try #require(onlyProblem("[thresholds]\ncharge_disconnect_v = 3.70\ncharge_reconnect_v = 3.70\n"))
        #expect(problem.key == "thresholds.charge_reconnect_v")
        #expect(problem.line == 3)
        #expect(problem.message.hasPrefix("thresholds.charge_reconnect_v (3.70) must be below thresholds.charge_disconnect_v (3.70): "))
    }

    @Test func orderProblemWithADefaultBlamesTheWrittenKey() throws {
        let problem = try #require(onlyProblem("[thresholds]\n\ncharge_disconnect_v = 3.50\n"))
        #expect(problem.key == "thresholds.charge_disconnect_v")
        #expect(problem.line == 3)
        #expect(problem.message.hasPrefix("thresholds.charge_reconnect_v (3.60, default) must be below thresholds.charge_disconnect_v (3.50): "))
    }

    @Test func refusesTemperatureWindowClosedByHysteresis() throws {
        let problem = try #require(onlyProblem("""
            [thresholds]
            charge_min_temp_c = 20
            charge_max_temp_c = 30
            temp_hysteresis_c = 5
            """))
        #expect(problem.key == "thresholds.charge_min_temp_c")
        #expect(problem.line == 2)
        #expect(problem.message == "thresholds.charge_min_temp_c (20.0) + thresholds.temp_hysteresis_c (5.0) must be below "
            + "thresholds.charge_max_temp_c (30.0) - thresholds.temp_hysteresis_c (5.0): no temperature would let CHARGER return")
        #expect(accepted("[thresholds]\ncharge_min_temp_c = 20\ncharge_max_temp_c = 30\ntemp_hysteresis_c = 4.9\n") != nil)
    }

    @Test func refusesSoCLoadOffNotBelowPrealarm() throws {
        let problem = try #require(onlyProblem("[vedirect]\nsoc_prealarm_pct = 15\nsoc_load_off_pct = 15\n"))
        #expect(problem.key == "vedirect.soc_load_off_pct")
        #expect(problem.line == 3)
        #expect(problem.message.hasPrefix("vedirect.soc_load_off_pct (15) must be below vedirect.soc_prealarm_pct (15): "))
    }

    @Test func refusesSoCLoadOnNotAbovePrealarm() throws {
        let problem = try #require(onlyProblem("[vedirect]\nsoc_load_on_pct = 12\n"))
        #expect(problem.key == "vedirect.soc_load_on_pct")
        #expect(problem.line == 2)
        #expect(problem.message.hasPrefix("vedirect.soc_load_on_pct (12) must be above vedirect.soc_prealarm_pct (15, default): "))
    }

    @Test func outOfRangeValueRaisesNoFollowUpOrderProblem() throws {
        let problem = try #require(onlyProblem("[thresholds]\ncharge_reconnect_v = 3.2\ncharge_disconnect_v = 3.5\n"))
        #expect(problem.key == "thresholds.charge_reconnect_v")
    }

    // MARK: Lines shared

    @Test func refusesTwoOutputsOnOneLine_namingBothKeysAndTheLine() throws {
        let problem = try #require(onlyProblem("""
            [gpio.load]
            line = 5
            [gpio.charger]
            line = 5
            [remote]
            line = "GPIO6"
            """))
        #expect(problem.key == "gpio.charger.line")
        #expect(problem.line == 4)
        #expect(problem.message == "gpio.charger.line = 5 is the same line as gpio.load.line (line 2): each output and the remote input need a line of their own")
    }

    @Test func refusesOutputOnAnotherOutputsDefaultLine() throws {
        let problem = try #require(onlyProblem("[gpio.prealarm]\nline = \"GPIO17\"\n"))
        #expect(problem.key == "gpio.prealarm.line")
        #expect(problem.line == 2)
        #expect(problem.message.hasPrefix("gpio.prealarm.line = \"GPIO17\" is the same line as gpio.load.line (its default)"))
    }

    @Test func blamesTheLaterOfTwoWrittenLines() throws {
        let problem = try #require(onlyProblem("[gpio.prealarm]\nline = 9\n[gpio.load]\nline = 9\n"))
        #expect(problem.key == "gpio.load.line")
        #expect(problem.line == 4)
        #expect(problem.message.contains("same line as gpio.prealarm.line (line 2)"))
    }

    @Test func refusesLEDOnTheRemoteInputLine() throws {
        let problem = try #require(onlyProblem("[gpio.led_load]\nline = \"GPIO5\"\n"))
        #expect(problem.key == "gpio.led_load.line")
        #expect(problem.line == 2)
        #expect(problem.message.contains("same line as remote.line (its default)"))
    }

    @Test func remoteLineIsFreeWhenRemoteIsAlwaysOn() {
        #expect(accepted("[gpio.led_load]\nline = \"GPIO5\"\n[remote]\nmode = \"always-on\"\n") != nil)
    }

    // MARK: Syntax

    @Test func refusesSyntaxError_withLineAndColumn() throws {
        let error = try #require(refused("[bus]\ndevice = \"/dev/ttyUSB0\"\nbatteries 2\n"))
        #expect(error.problems.count == 1)
        let problem = try #require(error.problems.first)
        #expect(problem.line == 3)
        #expect(problem.column != nil)
        #expect(problem.message.hasPrefix("TOML syntax error: "))
        #expect(error.description.hasPrefix("/etc/smallbmsd/smallbmsd.toml:3:\(problem.column ?? 0): TOML syntax error: "))
    }

    @Test func refusesDuplicateKeyAsSyntaxError() throws {
        let problem = try #require(onlyProblem("[bus]\nbatteries = 2\nbatteries = 3\n"))
        #expect(problem.line == 3)
        #expect(problem.message.hasPrefix("TOML syntax error: "))
    }

    @Test func refusesNulCharacter_ratherThanReadingHalfTheFile() throws {
        let problem = try #require(onlyProblem("[bus]\nbatteries = 2\n\0\nbatteries = 30\n"))
        #expect(problem.line == 3)
    }

    // MARK: Many problems at once

    @Test func reportsEveryProblem_inFileOrder() throws {
        let error = try #require(refused("""
            [bus]
            batteries = "two"
            baud = 1200
            [thresholds]
            prealarm_volts = 3.0
            confirm_s = 0
            [remote]
            mode = "sometimes"
            [gpio.charger]
            line = "GPIO17"
            """))
        #expect(error.problems.map(\.line) == [2, 3, 5, 6, 8, 10])
        #expect(error.problems.map(\.key) == [
            "bus.batteries", "bus.baud", "thresholds.prealarm_volts", "thresholds.confirm_s", "remote.mode", "gpio.charger.line",
        ])
        let lines = error.description.split(separator: "\n")
        #expect(lines.count == 6)
        #expect(lines.allSatisfy { $0.hasPrefix("/etc/smallbmsd/smallbmsd.toml:") })
        #expect(lines[0] == "/etc/smallbmsd/smallbmsd.toml:2: bus.batteries = \"two\" has the wrong type: a string, expected an integer 1 to 20")
    }

    // MARK: Line numbers in awkward files

    @Test func linesFollowMultilineStringsAndArrays() throws {
        let error = try #require(refused(#"""
            [bus]
            notes = """
            batteries = 3
            [thresholds]
            """
            list = [
              [1, 2],
              "]", '[x]',
            ]
            batteries = "x"
            [thresholds] # a comment
            confirm_s = 'one' # "quoted"
            """#))
        #expect(error.problems.map(\.key) == ["bus.notes", "bus.list", "bus.batteries", "thresholds.confirm_s"])
        #expect(error.problems.map(\.line) == [2, 6, 10, 12])
    }

    @Test func linesOfDottedKeysAndInlineTables() throws {
        let error = try #require(refused("""
            [gpio]
            load.line = 17
            charger = { line = 17 }
            "prealarm" . active_low = 1
            """))
        #expect(error.problems.map(\.key) == ["gpio.charger.line", "gpio.prealarm.active_low"])
        #expect(error.problems.map(\.line) == [3, 4])
    }

    @Test func lineNumbersCountWindowsLineEndings() throws {
        let problem = try #require(onlyProblem("[bus]\r\n\r\nbatteries = 0\r\n"))
        #expect(problem.line == 3)
    }
}
