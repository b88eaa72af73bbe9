import BMSCore
import Config
import Daly
import Devices
import Foundation
import JBD
import JK
import Pipeline
import SerialBMS
#if canImport(Glibc)
import Glibc
#endif

/// `simulate --protocol jbd|jk|daly`: one battery's BMS answering polls on a serial port or a
/// pty, with the scenario's cells, temperatures and FETs (a cleared ATD/ATC flag of the scenario
/// is that FET off). It answers only well-formed requests, as a real one does, so an installer
/// can check wiring and config with a loopback, and tests have a real peer.
struct BMSSimulation {
    let source: BatterySource
    let simulator: BankSimulator
    let speed: Double
    let repeats: Bool

    /// The pack the BMS reports for the scenario's battery at `seconds`; nil while it is silent.
    func pack(at seconds: Double) -> SimulatedPack? {
        guard let reading = simulator.reading(battery: 1, at: seconds) else { return nil }
        return SimulatedPack(
            cellMillivolts: reading.cellMillivolts, temperatureDecicelsius: reading.temperatureDecicelsius,
            chargeEnabled: reading.flags.allowsCharge, dischargeEnabled: reading.flags.allowsDischarge)
    }

    /// The protocol's responder, reporting `pack`.
    static func responder(for source: BatterySource, pack: SimulatedPack) -> any BMSResponder {
        switch source {
        case .jbd: JBDResponder(pack: pack)
        case .jk: JKResponder(pack: pack)
        case .daly: DalyResponder(pack: pack)
        case .victronBLE:
            // SimulateCommand accepts serial protocols only.
            preconditionFailure("victron-ble has no serial responder")
        }
    }

    /// Changes read from standard input with `--control` (for benchmarks and tests), laid over
    /// the scenario's pack from the moment they are read: `cell N MV`, `discharge on|off`,
    /// `charge on|off`, `scenario` (back to the scenario's own values).
    struct Overrides {
        var cellMillivolts: [Int: Int] = [:]
        var dischargeEnabled: Bool?
        var chargeEnabled: Bool?

        mutating func apply(line: Substring) {
            let words = line.split(separator: " ")
            switch (words.first, words.count) {
            case ("cell", 3):
                if let cell = Int(words[1]), let millivolts = Int(words[2]) { cellMillivolts[cell] = millivolts }
            case ("discharge", 2): dischargeEnabled = words[1] == "on"
            case ("charge", 2): chargeEnabled = words[1] == "on"
            case ("scenario", 1): self = Overrides()
            default: break
            }
        }

        func applied(to pack: SimulatedPack) -> SimulatedPack {
            var pack = pack
            for (cell, millivolts) in cellMillivolts where pack.cellMillivolts.indices.contains(cell - 1) {
                pack.cellMillivolts[cell - 1] = millivolts
            }
            if let dischargeEnabled { pack.dischargeEnabled = dischargeEnabled }
            if let chargeEnabled { pack.chargeEnabled = chargeEnabled }
            return pack
        }
    }

    /// Answers on `descriptor` until the scenario ends (never with `repeats`); with `control`
    /// (a descriptor, standard input) also takes ``Overrides`` line by line. Returns the number
    /// of answers sent.
    @discardableResult
    func run(descriptor: Int32, control: Int32? = nil, write: ([UInt8]) throws -> Void) throws -> Int {
        let duration = simulator.scenario.duration
        var responder = Self.responder(for: source, pack: pack(at: 0) ?? SimulatedPack(cellMillivolts: [], temperatureDecicelsius: []))
        var buffer = [UInt8](repeating: 0, count: 1024)
        var overrides = Overrides()
        var controlText: [UInt8] = []
        var controlOpen = control != nil
        var answers = 0
        let started = Date()
        while true {
            var t = Date().timeIntervalSince(started) * speed
            if repeats {
                t = t.truncatingRemainder(dividingBy: duration)
            } else if simulator.isFinished(at: t) {
                return answers
            }
            var entries = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
            if let control, controlOpen { entries.append(pollfd(fd: control, events: Int16(POLLIN), revents: 0)) }
            guard poll(&entries, nfds_t(entries.count), 100) > 0 else { continue }
            if entries.count > 1, entries[1].revents != 0, let control {
                let count = read(control, &buffer, buffer.count)
                if count <= 0 {
                    controlOpen = false
                } else {
                    controlText += buffer[0..<count]
                    while let newline = controlText.firstIndex(of: UInt8(ascii: "\n")) {
                        overrides.apply(line: Substring(String(decoding: controlText[..<newline], as: UTF8.self)))
                        controlText.removeSubrange(...newline)
                    }
                }
            }
            guard entries[0].revents != 0 else { continue }
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0, errno == EAGAIN || errno == EINTR { continue }
            guard count > 0 else {
                // Nobody holds the other end of the pty yet (EIO): wait for the daemon to open it.
                usleep(50_000)
                continue
            }
            let current = pack(at: t).map(overrides.applied)
            if let current { responder.pack = current }
            let answer = responder.receive(buffer[0..<count])
            // A silent battery hears the request and says nothing.
            guard current != nil, !answer.isEmpty else { continue }
            try write(answer)
            answers += 1
        }
    }
}
