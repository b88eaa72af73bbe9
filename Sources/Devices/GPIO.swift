import EdgeIO
import Glibc
import BMSCore
import Config

/// Opens the output lines and the remote input the configuration names: kernel GPIO through
/// libgpiod, or in-process simulated lines when `[gpio] chip = "simulated"`.
///
/// This is the whole public surface of the GPIO edge: the daemon sees only ``OutputLines`` and
/// ``RemoteInput``, so the libgpiod generation behind them can change without touching it.
public enum GPIO {
    /// Requests every configured output with its OFF level, and the remote input when `[remote]
    /// mode = "gpio"`.
    ///
    /// - `gpio.isSimulated` gives ``SimulatedOutputLines`` and ``SimulatedRemoteInput`` (which
    ///   starts ON); nothing in the kernel is touched.
    /// - The remote is `nil` when `[remote] mode = "always-on"`.
    /// - The kernel remote input is debounced by `remote.debounceMilliseconds`: ``RemoteInput/isOn()``
    ///   gives the level that last held that long, and the descriptor polls readable when it changes.
    ///
    /// Nothing is held when this throws: lines requested before the failure are driven OFF and
    /// released first. Every message names the chip, the line and the config key, and says what
    /// to check.
    public static func open(
        _ gpio: GPIOConfiguration,
        remote: RemoteConfiguration,
        consumer: String = "smallbmsd"
    ) throws(HardwareError) -> (outputs: any OutputLines, remote: (any RemoteInput)?) {
        let wantsRemote = remote.mode == .gpio
        if gpio.isSimulated {
            let outputs = try SimulatedOutputLines(outputs: configuredOutputs(gpio))
            let input: SimulatedRemoteInput? = wantsRemote ? try SimulatedRemoteInput() : nil
            return (outputs, input)
        }
        return try SelectedGPIO.open(gpio, remote: wantsRemote ? remote : nil, consumer: consumer)
    }

    /// Drives every configured output OFF once and releases it: `smallbmsd safe-state`, also run
    /// by systemd after a crash (`ExecStopPost`).
    ///
    /// Each line is requested with its OFF level (so it is never ON, not even for an instant),
    /// read back to confirm OFF, and released. Best effort: a failure on one line is reported and
    /// the other lines are still driven. Returns the failures; empty means every line was
    /// confirmed OFF. A simulated chip has no lines and always succeeds.
    ///
    /// After release the kernel no longer guarantees the level: the wiring must read a released
    /// line as OFF (behaviour.md: floating is OFF).
    public static func driveSafeState(_ gpio: GPIOConfiguration, consumer: String) -> [HardwareError] {
        if gpio.isSimulated { return [] }
        return SelectedGPIO.driveSafeState(gpio, consumer: consumer)
    }

    /// The configured outputs in a fixed order (LOAD first), so lines are requested and driven
    /// in the same order on every start and the journal reads the same way.
    static func configuredOutputs(_ gpio: GPIOConfiguration) -> [Output] {
        Output.allCases.filter { gpio.outputs[$0] != nil }
    }
}
