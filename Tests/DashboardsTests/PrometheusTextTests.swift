import Testing
@testable import Dashboards
import Status

/// The textfile's lines: names, labels, base units, and what is left out.
@Suite("Prometheus text of a status report")
struct PrometheusTextTests {
    private func lines(_ text: String) -> [Substring] { text.split(separator: "\n") }

    @Test func cellsAndTemperatures_areInVoltsAndCelsius_labelledByBatteryAndPosition() {
        let text = lines(PrometheusText.render(SampleReports.bank(), running: true))
        #expect(text.contains("smallbmsd_cell_volts{battery=\"1\",cell=\"1\"} 3.312"))
        #expect(text.contains("smallbmsd_cell_volts{battery=\"1\",cell=\"4\"} 3.000"))
        #expect(text.contains("smallbmsd_temperature_celsius{battery=\"1\",sensor=\"1\"} 21.5"))
        #expect(text.contains("smallbmsd_temperature_celsius{battery=\"1\",sensor=\"2\"} -5.5"))
        #expect(text.contains("smallbmsd_battery_data_age_seconds{battery=\"1\"} 0.4"))
    }

    @Test func aBatteryWithoutData_hasNoCellSamples_butItsFaultIsOne() {
        let text = lines(PrometheusText.render(SampleReports.bank(), running: true))
        #expect(!text.contains { $0.contains("battery=\"2\",cell=") })
        #expect(!text.contains { $0.hasPrefix("smallbmsd_battery_data_age_seconds{battery=\"2\"}") })
        #expect(text.contains("smallbmsd_battery_fault{battery=\"2\"} 1"))
        #expect(text.contains("smallbmsd_battery_fault{battery=\"1\"} 0"))
        #expect(text.contains("smallbmsd_fault 1"))
        #expect(text.contains("smallbmsd_started 0"))
    }

    @Test func everyOutput_hasOneSample_onOrOff() {
        let text = lines(PrometheusText.render(SampleReports.bank(), running: true))
        let outputs = text.filter { $0.hasPrefix("smallbmsd_output_on{") }
        #expect(outputs == [
            "smallbmsd_output_on{output=\"load\"} 1", "smallbmsd_output_on{output=\"charger\"} 0",
            "smallbmsd_output_on{output=\"prealarm\"} 0", "smallbmsd_output_on{output=\"led_load\"} 1",
            "smallbmsd_output_on{output=\"led_temp_ovp\"} 0",
        ])
        // PRE-ALARM never changed: no change time rather than a made-up one.
        #expect(!text.contains { $0.hasPrefix("smallbmsd_output_change_timestamp_seconds{output=\"prealarm\"}") })
        #expect(text.contains("smallbmsd_output_change_timestamp_seconds{output=\"load\"} 1796191200"))
    }

    @Test func counters_arePerSource_withTotalSuffix_andTheMonitorOnlyWhenConfigured() {
        let withoutMonitor = lines(PrometheusText.render(SampleReports.bank(), running: true))
        #expect(withoutMonitor.contains("# TYPE smallbmsd_source_messages_total counter"))
        #expect(withoutMonitor.contains("smallbmsd_source_messages_total{source=\"m8_bus\",result=\"good\"} 1200"))
        #expect(withoutMonitor.contains("smallbmsd_source_messages_total{source=\"m8_bus\",result=\"bad\"} 7"))
        #expect(!withoutMonitor.contains { $0.contains("vedirect") })

        let withMonitor = lines(PrometheusText.render(SampleReports.bank(withMonitor: true), running: true))
        #expect(withMonitor.contains("smallbmsd_source_messages_total{source=\"vedirect\",result=\"bad\"} 3"))
        #expect(withMonitor.contains("smallbmsd_source_open{source=\"vedirect\",device=\"/dev/ttyUSB1\"} 0"))
        #expect(withMonitor.contains("smallbmsd_state_of_charge_ratio 0.645"))
    }

    @Test func polledBatteries_withoutABus_haveTheirOwnSourceSamples_andNoM8Bus() {
        var report = SampleReports.bank()
        report.bus = nil
        report.sources = [StatusReport.SourceLink(
            battery: 2, source: "jbd", device: "/dev/ttyUSB3", isOpen: false, health: "silent",
            polls: 40, replies: 30, readings: 15, bad: 2, timeouts: 10, wrongRegister: 1)]
        let text = lines(PrometheusText.render(report, running: true))
        #expect(!text.contains { $0.contains("m8_bus") })
        #expect(text.contains("smallbmsd_source_open{source=\"jbd\",battery=\"2\",device=\"/dev/ttyUSB3\"} 0"))
        #expect(text.contains("smallbmsd_source_messages_total{source=\"jbd\",battery=\"2\",result=\"good\"} 30"))
        #expect(text.contains("smallbmsd_source_messages_total{source=\"jbd\",battery=\"2\",result=\"timeout\"} 10"))
        #expect(text.contains("smallbmsd_source_messages_total{source=\"jbd\",battery=\"2\",result=\"wrong_register\"} 1"))
    }

    @Test func everySample_followsItsFamilysHelpAndType() {
        var declared: Set<Substring> = []
        for line in lines(PrometheusText.render(SampleReports.bank(withMonitor: true), running: false)) {
            if line.hasPrefix("# TYPE ") {
                declared.insert(line.split(separator: " ")[2])
            } else if !line.hasPrefix("#") {
                let name = line.prefix { $0 != "{" && $0 != " " }
                #expect(declared.contains(name), "\(line) before its TYPE line")
                #expect(name.hasPrefix("smallbmsd_"))
            }
        }
        #expect(declared.count >= 15)
    }

    @Test func labelValues_escapeQuotesBackslashesAndNewlines() {
        let text = PrometheusText.render(SampleReports.bank(device: "/dev/odd\"name\\\n"), running: true)
        #expect(text.contains("smallbmsd_source_open{source=\"m8_bus\",device=\"/dev/odd\\\"name\\\\\\n\"} 1"))
    }

    @Test func theLastFile_saysTheDaemonIsNotRunning() {
        #expect(lines(PrometheusText.render(SampleReports.bank(), running: false)).contains("smallbmsd_running 0"))
        #expect(lines(PrometheusText.render(SampleReports.bank(), running: true)).contains("smallbmsd_running 1"))
    }

    @Test(arguments: [(3312, 3, "3.312"), (3000, 3, "3.000"), (-55, 1, "-5.5"), (5, 1, "0.5"), (-5, 3, "-0.005"), (42, 0, "42")])
    func fixedPoint_isExactDecimalText(value: Int, decimals: Int, text: String) {
        #expect(FixedPointText.text(value, decimals: decimals) == text)
    }
}

/// The file's size bounds what it costs the SD card (it is replaced every 5 s): measured 4,647
/// bytes for this bank, 3.3 MB an hour of file content (README, "Home Assistant and Prometheus").
@Suite("Prometheus textfile size")
struct PrometheusTextfileSizeTests {
    @Test func aFourBatteryBankWithAMonitor_staysUnderTwoFourKiBBlocks() {
        var report = SampleReports.bank(withMonitor: true)
        report.batteries = (1...4).map { battery in
            StatusReport.Battery(
                battery: battery, cellsMillivolts: [3312, 3310, 3308, 3305], temperaturesDecicelsius: [215],
                flags: "03", ageSeconds: 0.4, fault: nil)
        }
        let size = PrometheusText.render(report, running: true).utf8.count
        #expect(size > 4096 / 2 && size <= 8192, "\(size) bytes")
    }
}
