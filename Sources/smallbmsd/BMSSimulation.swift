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
        }
    }

    /// Answers on `descriptor` (read and written without blocking) until the scenario ends
    /// (never with `repeats`). Returns the number of answers sent.
    @discardableResult
    func run(descriptor: Int32, write: ([UInt8]) throws -> Void) throws -> Int {
        let duration = simulator.scenario.duration
        var responder = Self.responder(for: source, pack: pack(at: 0) ?? SimulatedPack(cellMillivolts: [], temperatureDecicelsius: []))
        var buffer = [UInt8](repeating: 0, count: 1024)
        var answers = 0
        let started = Date()
        while true {
            var t = Date().timeIntervalSince(started) * speed
            if repeats {
                t = t.truncatingRemainder(dividingBy: duration)
            } else if simulator.isFinished(at: t) {
                return answers
            }
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) > 0 else { continue }
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0, errno == EAGAIN || errno == EINTR { continue }
            guard count > 0 else {
                // Nobody holds the other end of the pty yet (EIO): wait for the daemon to open it.
                usleep(50_000)
                continue
            }
            let current = pack(at: t)
            if let current { responder.pack = current }
            let answer = responder.receive(buffer[0..<count])
            // A silent battery hears the request and says nothing.
            guard current != nil, !answer.isEmpty else { continue }
            try write(answer)
            answers += 1
        }
    }
}
