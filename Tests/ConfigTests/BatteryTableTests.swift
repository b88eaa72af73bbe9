import BMSCore
import Testing
@testable import Config

@Suite("[[battery]]: batteries with their own BMS")
struct BatteryTableTests {
    private let twoJBDAndAJK = """
        [bus]
        device = "/dev/ttyUSB0"
        batteries = 2

        [[battery]]
        source = "jbd"
        device = "/dev/serial/by-id/usb-FTDI-if00"

        [[battery]]
        source = "jk"
        device = "/dev/serial/by-id/usb-CH340-if00"
        cells = 16
        comms_timeout_s = 6
        poll_interval_s = 2.5
        """

    @Test func batteries_numberedAfterTheBusAdapters_inFileOrder_withDefaults() throws {
        let configuration = try #require(accepted(twoJBDAndAJK))
        #expect(configuration.hasBusAdapter)
        #expect(configuration.busBatteryCount == 2)
        #expect(configuration.settings.batteryCount == 4)
        let jbd = try #require(configuration.batteries.first)
        #expect(jbd.number == 3)
        #expect(jbd.source == .jbd)
        #expect(jbd.cells == 4)
        #expect(jbd.commsTimeout == .seconds(3))
        #expect(jbd.serial == SerialBatteryLink(device: "/dev/serial/by-id/usb-FTDI-if00", baud: 9600, pollInterval: .seconds(1)))
        let jk = try #require(configuration.batteries.last)
        #expect(jk.number == 4)
        #expect(jk.serial?.baud == 115200)
        #expect(jk.serial?.pollInterval == .milliseconds(2500))
        #expect(configuration.settings.cells(ofBattery: 4) == 16)
        #expect(configuration.settings.commsTimeout(ofBattery: 4) == .seconds(6))
        #expect(configuration.settings.cells(ofBattery: 1) == 4)
    }

    @Test func cellsAndTimeout_defaultToTheBusTable_evenWhenItComesLater() throws {
        let configuration = try #require(accepted("""
            [[battery]]
            source = "daly"
            device = "/dev/ttyUSB3"

            [bus]
            cells_per_battery = 8
            comms_timeout_s = 5
            """))
        #expect(configuration.batteries.first?.cells == 8)
        #expect(configuration.batteries.first?.commsTimeout == .seconds(5))
        #expect(configuration.batteries.first?.number == 2)
    }

    @Test func noBusTable_noM8Adapter_batteriesFromOne() throws {
        let configuration = try #require(accepted("""
            [[battery]]
            source = "jbd"
            device = "/dev/ttyUSB1"
            [[battery]]
            source = "jbd"
            device = "/dev/ttyUSB2"
            """))
        #expect(!configuration.hasBusAdapter)
        #expect(configuration.busBatteryCount == 0)
        #expect(configuration.settings.batteryCount == 2)
        #expect(configuration.batteries.map(\.number) == [1, 2])
        #expect(configuration.startupSummary == "battery 1: 4-cell jbd on /dev/ttyUSB1, battery 2: 4-cell jbd on /dev/ttyUSB2, GPIO chip gpiochip0")
    }

    @Test func emptyFile_stillHasTheBusAdapter() throws {
        let configuration = try #require(accepted(""))
        #expect(configuration.hasBusAdapter)
        #expect(configuration.batteries.isEmpty)
        #expect(configuration.settings.cellsByBattery.isEmpty)
    }

    @Test func unknownSource_refusedWithTheSourcesAndALine() throws {
        let problem = try #require(onlyProblem("[[battery]]\nsource = \"jbb\"\ndevice = \"/dev/ttyUSB1\"\n"))
        #expect(problem.key == "battery[1].source")
        #expect(problem.line == 2)
        #expect(problem.message == "battery[1].source = \"jbb\" is not allowed: allowed \"jbd\", \"jk\", \"daly\" or \"victron-ble\" (default none); did you mean \"jbd\"?")
    }

    @Test func missingSourceAndMissingDevice_eachSaidWithTheTableLine() throws {
        let error = try #require(refused("""
            [[battery]]
            device = "/dev/ttyUSB1"

            [[battery]]
            source = "jk"
            """))
        #expect(error.problems.count == 2)
        #expect(error.problems.first?.line == 1)
        #expect(error.problems.first?.message.hasPrefix("battery[1] (battery 1) has no source: add source = ") == true)
        #expect(error.problems.last?.line == 4)
        #expect(error.problems.last?.message.hasPrefix("battery[2] (battery 2, source = \"jk\") has no device: add device = a string") == true)
    }

    @Test func bauds_onlyWhatTheProtocolCanUse() throws {
        let problem = try #require(onlyProblem("[[battery]]\nsource = \"jk\"\ndevice = \"/dev/ttyUSB1\"\nbaud = 9600\n"))
        #expect(problem.key == "battery[1].baud")
        #expect(problem.line == 4)
        #expect(problem.message == "battery[1].baud = 9600 is not supported: allowed 115200 (default 115200)")
        #expect(accepted("[[battery]]\nsource = \"jbd\"\ndevice = \"/dev/ttyUSB1\"\nbaud = 9600\n") != nil)
    }

    @Test func twoBatteriesOnOneDevice_theLaterIsBlamedWithTheEarliersLine() throws {
        let problem = try #require(onlyProblem("""
            [[battery]]
            source = "jbd"
            device = "/dev/ttyUSB1"

            [[battery]]
            source = "daly"
            device = "/dev/ttyUSB1"
            """))
        #expect(problem.key == "battery[2].device")
        #expect(problem.line == 7)
        #expect(problem.message == "battery[2].device = \"/dev/ttyUSB1\" is battery 1's device (battery[1].device, line 3): each BMS needs a serial port (USB-serial adapter) of its own")
    }

    @Test func aBatteryOnTheBusOrVEDirectDevice_refused() throws {
        let onBus = try #require(onlyProblem("[bus]\n[[battery]]\nsource = \"jbd\"\ndevice = \"/dev/ttyUSB0\"\n"))
        #expect(onBus.message.contains("is the M8 bus adapter's device (bus.device, its default)"))
        let onMonitor = try #require(onlyProblem("""
            [vedirect]
            device = "/dev/ttyUSB5"
            [[battery]]
            source = "jbd"
            device = "/dev/ttyUSB5"
            """))
        #expect(onMonitor.line == 5)
        #expect(onMonitor.message.contains("is the VE.Direct monitor's device (vedirect.device, line 2)"))
    }

    @Test func moreThanTwentyBatteries_theFirstTableTooManyIsBlamed() throws {
        var text = "[bus]\nbatteries = 19\n"
        for index in 1...2 { text += "[[battery]]\nsource = \"jbd\"\ndevice = \"/dev/ttyUSB\(index)\"\n" }
        let problem = try #require(onlyProblem(text))
        #expect(problem.key == "battery[2]")
        #expect(problem.line == 6)
        #expect(problem.message == "battery[2] would be battery 21: [bus] batteries = 19 and 2 [[battery]] tables make 21 batteries, at most 20 are allowed")
    }

    @Test func twentyBatteriesOfTheirOwn_accepted() throws {
        var text = ""
        for index in 1...20 { text += "[[battery]]\nsource = \"daly\"\ndevice = \"/dev/ttyUSB\(index)\"\n" }
        let configuration = try #require(accepted(text))
        #expect(configuration.settings.batteryCount == 20)
    }

    @Test func pollInterval_rangeAndAtMostHalfTheTimeout() throws {
        let tooFast = try #require(onlyProblem("[[battery]]\nsource = \"jbd\"\ndevice = \"/dev/ttyUSB1\"\npoll_interval_s = 0.2\n"))
        #expect(tooFast.message == "battery[1].poll_interval_s = 0.2 is out of range: allowed 0.5 to 30.0 (default 1.0)")
        let tooSlow = try #require(onlyProblem("[[battery]]\nsource = \"jbd\"\ndevice = \"/dev/ttyUSB1\"\npoll_interval_s = 2\n"))
        #expect(tooSlow.line == 4)
        #expect(tooSlow.message.hasPrefix("battery[1].poll_interval_s (2.0) is more than half of comms_timeout_s (3.0, default)"))
        #expect(accepted("[[battery]]\nsource = \"jbd\"\ndevice = \"/dev/ttyUSB1\"\npoll_interval_s = 2\ncomms_timeout_s = 4\n") != nil)
    }

    @Test func unknownKey_namesTheSourcesKeys() throws {
        let problem = try #require(onlyProblem("[[battery]]\nsource = \"jbd\"\ndevice = \"/dev/ttyUSB1\"\ncell = 4\n"))
        #expect(problem.line == 4)
        #expect(problem.message == "unknown key \"battery[1].cell\" (known keys in [[battery]] with source = \"jbd\": source, device, baud, poll_interval_s, cells, comms_timeout_s; did you mean \"cells\"?)")
    }

    @Test func aSingleBatteryTable_isAskedToBeAnArrayOfTables() throws {
        let problem = try #require(onlyProblem("[battery]\nsource = \"jbd\"\n"))
        #expect(problem.message.hasPrefix("battery has the wrong type: a table, expected an array of tables"))
    }

    @Test func effectiveSettings_listEachBattery_andLoadBackToTheSameConfiguration() throws {
        let configuration = try #require(accepted(twoJBDAndAJK))
        let text = configuration.effectiveSettingsText()
        #expect(text.contains("""
            [[battery]] # battery 4
            source = "jk"
            device = "/dev/serial/by-id/usb-CH340-if00"
            baud = 115200
            poll_interval_s = 2.5
            cells = 16
            comms_timeout_s = 6.0
            """))
        #expect(accepted(text) == configuration)
    }

    @Test func effectiveSettings_withoutAdapter_sayTheBusIsAbsent_andLoadBack() throws {
        let configuration = try #require(accepted("[[battery]]\nsource = \"jbd\"\ndevice = \"/dev/ttyUSB1\"\n"))
        let text = configuration.effectiveSettingsText()
        #expect(text.contains("# [bus] absent: no M8 bus adapter"))
        #expect(text.contains("[[battery]] # battery 1\nsource = \"jbd\"\ndevice = \"/dev/ttyUSB1\"\nbaud = 9600\npoll_interval_s = 1.0\ncells = 4\ncomms_timeout_s = 3.0\n"))
        #expect(accepted(text) == configuration)
    }

    @Test func aNewBatteryTable_needsARestart() throws {
        let running = try #require(accepted("[bus]\n"))
        let fresh = try #require(accepted("[bus]\n[[battery]]\nsource = \"jbd\"\ndevice = \"/dev/ttyUSB1\"\n"))
        #expect(fresh.tablesNeedingRestart(comparedTo: running) == ["[[battery]]"])
    }
}
