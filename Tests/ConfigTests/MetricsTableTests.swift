import Testing
@testable import Config

/// `[metrics]`: the Prometheus textfile is written only when the table is there.
@Suite("The [metrics] table")
struct MetricsTableTests {
    @Test func absentTable_writesNoTextfile() throws {
        let configuration = try #require(accepted("[bus]\n"))
        #expect(configuration.metrics == nil)
        #expect(configuration.effectiveSettingsText().contains("# [metrics] absent: no Prometheus textfile"))
    }

    @Test func emptyTable_usesNodeExportersDebianFolder() throws {
        let configuration = try #require(accepted("[metrics]\n"))
        #expect(configuration.metrics?.textfile == "/var/lib/prometheus/node-exporter/smallbmsd.prom")
    }

    @Test func textfileKey_isTakenAsGiven_andPrintedBackLoadable() throws {
        let configuration = try #require(accepted("[metrics]\ntextfile = \"/run/node-exporter/bank.prom\"\n"))
        #expect(configuration.metrics == MetricsConfiguration(textfile: "/run/node-exporter/bank.prom"))
        let printed = configuration.effectiveSettingsText()
        #expect(printed.contains("[metrics]\ntextfile = \"/run/node-exporter/bank.prom\"\n"))
        #expect(accepted(printed) == configuration)
    }

    @Test func emptyPath_isRefusedWithTheKeyAndLine() throws {
        let problem = try #require(onlyProblem("[metrics]\ntextfile = \"\"\n"))
        #expect(problem.key == "metrics.textfile")
        #expect(problem.line == 2)
    }

    @Test func changedTextfile_needsARestart() {
        let running = Configuration(metrics: MetricsConfiguration())
        var fresh = running
        fresh.metrics?.textfile = "/tmp/other.prom"
        #expect(fresh.tablesNeedingRestart(comparedTo: running) == ["[metrics]"])
        #expect(running.tablesNeedingRestart(comparedTo: running).isEmpty)
    }
}
