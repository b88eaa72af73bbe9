import Foundation
import Testing

/// The two manual pages against the binary they describe: smallbmsd(8) has a section for every
/// command `--help` lists, and smallbmsd.toml(5) (generated) names every table and key that
/// `check-config` prints, with the default it prints.
@Suite("manual pages")
struct ManualPageTests {
    @Test func daemonPage_hasASectionForEveryCommand() throws {
        let help = try BinaryRunner.run(["--help"])
        #expect(help.status == 0)
        let commands = Self.subcommands(inHelp: help.standardOutput)
        #expect(commands.count >= 7, "\(help.standardOutput)")
        let page = try String(contentsOf: BinaryRunner.packageRoot.appendingPathComponent("man/smallbmsd.8"), encoding: .utf8)
        let sections = Set(page.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix(".SS ") else { return nil }
            // ".SS replay \fIfile\fP" and ".SS check\-config": the command's name, unescaped.
            return line.dropFirst(4).split(separator: " ").first.map { $0.replacingOccurrences(of: "\\-", with: "-") }
        })
        for command in commands {
            #expect(sections.contains(command), "man/smallbmsd.8 has no \".SS \(command)\" section")
        }
    }

    @Test func configPage_hasTheBatteryTable_withEveryKeyAndEachSourcesBaud() throws {
        let manual = try BinaryRunner.run(["manual", "config"])
        #expect(manual.status == 0, "\(manual.standardError)")
        let page = manual.standardOutput.replacingOccurrences(of: "\\-", with: "-")
        #expect(page.contains(".SH \"[[battery]]\""))
        for key in ["source", "device", "baud", "poll_interval_s", "cells", "comms_timeout_s"] {
            #expect(page.contains("\\fB\(key)\\fR"), "no \(key) in the [[battery]] section")
        }
        #expect(page.contains("\\fBbaud\\fR (source jk) = an integer 115200"))
    }

    @Test func configPage_namesEveryKeyWithItsDefault() throws {
        // A config with every optional table present, so check-config prints every key.
        let path = try BinaryRunner.temporaryFile(
            "every-table.toml", "[gpio.led_load]\n[gpio.led_temp_ovp]\n[vedirect]\ndevice = \"/dev/ttyUSB1\"\n")
        let settings = try BinaryRunner.run(["check-config", "--config", path])
        #expect(settings.status == 0, "\(settings.standardError)")
        let manual = try BinaryRunner.run(["manual", "config"])
        #expect(manual.status == 0, "\(manual.standardError)")
        let page = manual.standardOutput.replacingOccurrences(of: "\\-", with: "-")
        var table = ""
        var keys = 0
        for line in settings.standardOutput.split(separator: "\n") where !line.hasPrefix("#") {
            if line.hasPrefix("[") {
                table = String(line.dropFirst().dropLast())
                #expect(page.contains(".SH \"[\(table)]\""), "the page has no section for [\(table)]")
                continue
            }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            keys += 1
            let key = parts[0], value = parts[1]
            #expect(page.contains("\\fB\(key)\\fR = "), "the page does not name \(table).\(key)")
            #expect(page.contains("Default: \\fB\(value)\\fR. Messages call it \\fI\(table).\(key)\\fR."),
                "the page does not give \(table).\(key)'s default \(value)")
        }
        #expect(keys >= 30, "check-config printed only \(keys) keys:\n\(settings.standardOutput)")
    }

    /// The names under "SUBCOMMANDS:" in ArgumentParser's help.
    static func subcommands(inHelp help: String) -> [String] {
        var names: [String] = []
        var inList = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("SUBCOMMANDS:") { inList = true; continue }
            guard inList else { continue }
            if line.isEmpty || !line.hasPrefix("  ") { if !names.isEmpty { break } else { continue } }
            // "  run (default)   Run the daemon..." and continuation lines indented further.
            let trimmed = line.dropFirst(2)
            guard trimmed.first != " ", trimmed.first != nil else { continue }
            if let name = trimmed.split(separator: " ").first { names.append(String(name)) }
        }
        return names.filter { $0 != "See" }
    }
}
