// libFuzzer target for the configuration loader (Sources/Config), through TOMLKit and the C++
// toml++ parser it wraps. run.sh compiles toml++ (clang++) and TOMLKit, BMSCore and Config
// (swiftc) with coverage and AddressSanitizer; this harness is compiled without coverage.
//
// The input bytes become a String with String(decoding:as: UTF8.self), as the file reader does
// after checking the bytes (so invalid UTF-8 arrives as U+FFFD here, and NUL bytes too).
// `ConfigurationLoader.parse` must never crash, and:
// - a refusal has at least one problem, each with a message, a line (when given) inside the
//   text, and a column only with a line;
// - an accepted file gives settings inside every documented range and order (behaviour.md,
//   "Config file", and the ranges in config/smallbmsd.toml), no two outputs (nor the remote
//   input) on one line, and its effective settings text (check-config's output) loads back to
//   the very same configuration.

import BMSCore
import Config

@_cdecl("LLVMFuzzerTestOneInput")
public func configFuzzEntry(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    let configuration: Configuration
    do {
        configuration = try ConfigurationLoader.parse(text, file: "fuzz.toml")
    } catch {
        checkRefusal(error, text: text)
        return 0
    }
    checkAccepted(configuration, text: text)
    return 0
}

private func checkRefusal(_ error: ConfigurationError, text: String) {
    guard !error.problems.isEmpty else { fuzzFail("a refusal without a problem for \(quotedInput(text))") }
    // Lines as the loader counts them: LF and CRLF end a line (a lone CR does not).
    let lineCount = text.reduce(1) { $1 == "\n" || $1 == "\r\n" ? $0 + 1 : $0 }
    for problem in error.problems {
        guard !problem.message.isEmpty else { fuzzFail("a problem without a message for \(quotedInput(text))") }
        if let line = problem.line, !(1...lineCount).contains(line) {
            fuzzFail("problem on line \(line) of a \(lineCount)-line text: \(problem.message)\n\(quotedInput(text))")
        }
        if let column = problem.column, problem.line == nil || column < 1 {
            fuzzFail("column \(column) without a valid line: \(problem)\n\(quotedInput(text))")
        }
    }
    guard error.description.hasPrefix("fuzz.toml") else { fuzzFail("error text does not name the file: \(error)") }
}

private func checkAccepted(_ configuration: Configuration, text: String) {
    let s = configuration.settings
    func require(_ condition: Bool, _ what: String) {
        guard condition else { fuzzFail("accepted a configuration where \(what)\n\(quotedInput(text))") }
    }
    let milliseconds = { (duration: Duration) in duration.wholeMilliseconds }
    require((1...20).contains(s.batteryCount), "batteries = \(s.batteryCount)")
    require([4, 8].contains(s.cellsPerBattery), "cells_per_battery = \(s.cellsPerBattery)")
    require((2000...60000).contains(milliseconds(s.commsTimeout)), "comms_timeout_s = \(s.commsTimeout)")
    require((2600...2800).contains(s.loadDisconnectMillivolts), "load_disconnect_v = \(s.loadDisconnectMillivolts) mV")
    require((2900...3400).contains(s.loadReconnectMillivolts), "load_reconnect_v = \(s.loadReconnectMillivolts) mV")
    require(s.loadReconnectMillivolts > s.loadDisconnectMillivolts, "load_reconnect_v is not above load_disconnect_v")
    if let critical = s.criticalCellMillivolts {
        require((2000...2700).contains(critical), "critical_cell_v = \(critical) mV")
        require(critical < s.loadDisconnectMillivolts, "critical_cell_v is not below load_disconnect_v")
    }
    require((2850...3150).contains(s.prealarmMillivolts), "prealarm_v = \(s.prealarmMillivolts) mV")
    require(s.prealarmMillivolts > s.loadDisconnectMillivolts, "prealarm_v is not above load_disconnect_v")
    require((2900...3400).contains(s.prealarmClearMillivolts), "prealarm_clear_v = \(s.prealarmClearMillivolts) mV")
    require(s.prealarmClearMillivolts >= s.prealarmMillivolts, "prealarm_clear_v is below prealarm_v")
    require((30_000...3_600_000).contains(milliseconds(s.prealarmLead)), "prealarm_lead_s = \(s.prealarmLead)")
    require((3450...3900).contains(s.chargeDisconnectMillivolts), "charge_disconnect_v = \(s.chargeDisconnectMillivolts) mV")
    require((3300...3800).contains(s.chargeReconnectMillivolts), "charge_reconnect_v = \(s.chargeReconnectMillivolts) mV")
    require(s.chargeReconnectMillivolts < s.chargeDisconnectMillivolts, "charge_reconnect_v is not below charge_disconnect_v")
    require((0...200).contains(s.chargeMinDecicelsius), "charge_min_temp_c = \(s.chargeMinDecicelsius) dC")
    require((300...600).contains(s.chargeMaxDecicelsius), "charge_max_temp_c = \(s.chargeMaxDecicelsius) dC")
    require((5...100).contains(s.temperatureHysteresisDecicelsius), "temp_hysteresis_c = \(s.temperatureHysteresisDecicelsius) dC")
    require(s.chargeMinDecicelsius + s.temperatureHysteresisDecicelsius
                < s.chargeMaxDecicelsius - s.temperatureHysteresisDecicelsius,
            "charge_min_temp_c + temp_hysteresis_c is not below charge_max_temp_c - temp_hysteresis_c")
    require((100...60_000).contains(milliseconds(s.confirmDelay)), "confirm_s = \(s.confirmDelay)")
    require((1000...3_600_000).contains(milliseconds(s.recoverDelay)), "recover_s = \(s.recoverDelay)")
    require((s.stateOfCharge != nil) == (configuration.vedirect != nil), "[vedirect] and the SoC limits disagree")
    if let soc = s.stateOfCharge {
        for percent in [soc.prealarmPercent, soc.loadOffPercent, soc.loadOnPercent] {
            require(percent.isFinite && (0...100).contains(percent), "a soc_*_pct is \(percent)")
        }
        require(soc.loadOffPercent < soc.prealarmPercent, "soc_load_off_pct is not below soc_prealarm_pct")
        require(soc.loadOnPercent > soc.prealarmPercent, "soc_load_on_pct is not above soc_prealarm_pct")
    }
    require(BusConfiguration.supportedBaudRates.contains(configuration.bus.baud), "baud = \(configuration.bus.baud)")
    require(!configuration.bus.device.allSatisfy(\.isWhitespace), "the bus device is blank")
    require(!configuration.statusPath.allSatisfy(\.isWhitespace), "the status path is blank")
    require((0...1000).contains(configuration.remote.debounceMilliseconds), "debounce_ms = \(configuration.remote.debounceMilliseconds)")
    for output in [Output.load, .charger, .prealarm] {
        require(configuration.gpio.outputs[output] != nil, "\(output) has no line")
    }
    var lines = configuration.gpio.outputs.values.map(\.line)
    if configuration.remote.mode == .gpio { lines.append(configuration.remote.line) }
    require(Set(lines).count == lines.count, "two outputs (or an output and the remote input) share a line")

    // check-config's effective settings: valid TOML that loads back to the same configuration.
    let effective = configuration.effectiveSettingsText()
    do {
        let reloaded = try ConfigurationLoader.parse(effective, file: "effective.toml")
        guard reloaded == configuration else {
            fuzzFail("the effective settings load back to another configuration\n\(effective)\nfrom \(quotedInput(text))")
        }
    } catch {
        fuzzFail("the effective settings are refused: \(error)\n\(effective)\nfrom \(quotedInput(text))")
    }
}

private func quotedInput(_ text: String) -> String {
    "input: \(escaped(Array(text.utf8), limit: 2000))"
}
