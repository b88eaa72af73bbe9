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
        return try KernelGPIO.open(gpio, remote: wantsRemote ? remote : nil, consumer: consumer)
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
        return KernelGPIO.driveSafeState(gpio, consumer: consumer)
    }

    /// The configured outputs in a fixed order (LOAD first), so lines are requested and driven
    /// in the same order on every start and the journal reads the same way.
    static func configuredOutputs(_ gpio: GPIOConfiguration) -> [Output] {
        Output.allCases.filter { gpio.outputs[$0] != nil }
    }
}

// MARK: - Backend selection

/// What one libgpiod generation provides. Exactly one conforming type is compiled in, chosen by
/// the `LIBGPIOD_V2` compilation condition, because the v1 and v2 headers cannot both be imported.
///
/// A libgpiod 2 backend is a new file (e.g. `GPIOD2.swift`, wrapped in `#if LIBGPIOD_V2`, the v1
/// file being wrapped in `#if !LIBGPIOD_V2`) with an enum conforming to this protocol; it can
/// reuse ``GPIOMessage`` so the installer reads the same advice on either version.
protocol KernelGPIOBackend {
    /// Requests the outputs (OFF) and, when `remote` is given, the debounced remote input, all on
    /// `gpio.chip`; holds nothing when it throws.
    static func open(
        _ gpio: GPIOConfiguration,
        remote: RemoteConfiguration?,
        consumer: String
    ) throws(HardwareError) -> (outputs: any OutputLines, remote: (any RemoteInput)?)

    /// Requests each output OFF, confirms it, releases it; best effort over all lines.
    static func driveSafeState(_ gpio: GPIOConfiguration, consumer: String) -> [HardwareError]
}

#if LIBGPIOD_V2
typealias KernelGPIO = GPIOD2Backend
#else
typealias KernelGPIO = GPIOD1Backend
#endif

// MARK: - Messages

/// The wording of GPIO failures, shared by every backend: each says what failed, where, and what
/// the installer should check. Kept apart from the libgpiod calls so that a v2 backend gives the
/// same advice.
enum GPIOMessage {
    /// The config key an installer edits for an output, e.g. `gpio.load`.
    static func key(_ output: Output) -> String { "gpio.\(output.rawValue)" }

    /// The config key of the remote input.
    static let remoteKey = "remote"

    /// Why a chip did not open. `errno` is the one libgpiod left; `chip` is `[gpio] chip` as written.
    static func chipOpenFailed(_ chip: String, errno code: Int32) -> HardwareError {
        let device = devicePath(for: chip)
        switch code {
        case EACCES, EPERM:
            let target = device ?? "the GPIO chip devices (/dev/gpiochip*)"
            return HardwareError(
                "cannot open GPIO chip \"\(chip)\": permission denied on \(target): the user running smallbmsd "
                    + "needs read and write access to it (group gpio on Raspberry Pi OS, or a udev rule "
                    + "elsewhere; ls -l \(device ?? "/dev/gpiochip*") shows owner and mode)",
                errno: code)
        case ENOTTY, ENODEV:
            return HardwareError(
                "\"\(chip)\" is not a GPIO chip: check [gpio] chip (a name like gpiochip0, a path like "
                    + "/dev/gpiochip0, or a chip label; ls /dev/gpiochip* and gpiodetect list them)",
                errno: code)
        case ENOENT:
            var message = "GPIO chip \"\(chip)\" not found: check [gpio] chip (a name like gpiochip0, a path "
                + "like /dev/gpiochip0, or a chip label; ls /dev/gpiochip* and gpiodetect list them)"
            // A label is matched by opening every chip: if they cannot be opened, "not found" is
            // really a permission problem, and saying only "not found" would send the installer
            // hunting for a chip that is there.
            if device == nil, let locked = chipDevices().first(where: { access($0, R_OK | W_OK) != 0 }) {
                message += "; note that \(locked) cannot be opened by this user, so its label could not be "
                    + "read (group gpio on Raspberry Pi OS, or a udev rule)"
            }
            return HardwareError(message, errno: code)
        default:
            return HardwareError(
                "cannot open GPIO chip \"\(chip)\": \(describe(errno: code)): check [gpio] chip and that the "
                    + "GPIO character device is enabled (gpiodetect lists the chips)",
                errno: code)
        }
    }

    /// A line name the chip does not have.
    static func lineNotFound(_ name: String, key: String, chip: String) -> HardwareError {
        HardwareError(
            "line \"\(name)\" (\(key)) not found on \(chip): check the name with gpioinfo \(chip), or give an offset",
            errno: ENOENT)
    }

    /// An offset past the chip's last line.
    static func offsetOutOfRange(_ offset: Int, key: String, chip: String, lineCount: Int) -> HardwareError {
        let range = lineCount > 0 ? "offsets 0-\(lineCount - 1)" : "no lines"
        return HardwareError(
            "line offset \(offset) (\(key)) does not exist on \(chip), which has \(lineCount) lines (\(range)): "
                + "check the offset with gpioinfo \(chip)",
            errno: EINVAL)
    }

    /// The remote input configured on a line an output already uses (a name and an offset can
    /// name the same line, which the config check cannot see).
    static func remoteSharesLine(_ line: LineSelector, with output: Output, chip: String) -> HardwareError {
        HardwareError(
            "line \(line) (\(remoteKey)) is the line of \(key(output)) on \(chip): the remote input needs a line "
                + "of its own; check [remote] line and [\(key(output))] line with gpioinfo \(chip)")
    }

    /// A request the kernel refused. `consumer` is the line's current holder when known;
    /// `ownConsumer` is ours, to spot a second copy of the daemon; `bias` is set for the input.
    static func requestFailed(
        _ line: LineSelector, key: String, chip: String, errno code: Int32,
        consumer: String?, ownConsumer: String, bias: LineBias? = nil
    ) -> HardwareError {
        switch code {
        case EBUSY:
            var holder = "another program holds it (gpioinfo \(chip) shows the consumer)"
            if let consumer, !consumer.isEmpty {
                holder = consumer == ownConsumer
                    ? "\"\(consumer)\" holds it: is another smallbmsd (or the same line twice in the config) in use? "
                        + "(gpioinfo \(chip) shows the consumer)"
                    : "another program holds it, \"\(consumer)\" (gpioinfo \(chip) shows the consumer)"
            }
            return HardwareError("line \(line) (\(key)) is busy: \(holder)", errno: code)
        case EACCES, EPERM:
            return HardwareError(
                "line \(line) (\(key)) on \(chip): permission denied: the user running smallbmsd needs read and "
                    + "write access to the chip (group gpio on Raspberry Pi OS, or a udev rule)",
                errno: code)
        case EINVAL where bias != nil && bias != .asIs:
            return HardwareError(
                "line \(line) (\(key)) on \(chip): the kernel refused the request with bias \"\(bias!.rawValue)\" "
                    + "(bias needs Linux 5.5 or later and a chip that supports it): set [remote] bias = \"as-is\" "
                    + "and fit an external resistor",
                errno: code)
        default:
            return HardwareError(
                "cannot request line \(line) (\(key)) on \(chip): \(describe(errno: code)): check the line with "
                    + "gpioinfo \(chip)",
                errno: code)
        }
    }

    /// A write to a held output line failed.
    static func writeFailed(_ output: Output, line: LineSelector, chip: String, state: OutputState, errno code: Int32)
        -> HardwareError
    {
        HardwareError(
            "cannot set \(output.displayName) to \(state.rawValue.uppercased()) on line \(line) (\(key(output))) of \(chip): "
                + "\(describe(errno: code)): check the chip and its wiring (gpioinfo \(chip))",
            errno: code)
    }

    /// A read-back that did not show OFF (or could not be read) after driving OFF.
    static func notConfirmedOff(_ output: Output, line: LineSelector, chip: String, errno code: Int32?)
        -> HardwareError
    {
        let why = code.map { "cannot read it back: \(describe(errno: $0))" } ?? "it reads back ON"
        return HardwareError(
            "\(output.displayName) on line \(line) (\(key(output))) of \(chip) was driven OFF but \(why): "
                + "check the line with gpioinfo \(chip) and the external stage",
            errno: code)
    }

    /// Reading the remote input failed.
    static func remoteReadFailed(_ line: LineSelector, chip: String, errno code: Int32) -> HardwareError {
        HardwareError(
            "cannot read the remote input on line \(line) (\(remoteKey)) of \(chip): \(describe(errno: code)): "
                + "check the chip (gpioinfo \(chip)); the outputs stay OFF while remote is unknown",
            errno: code)
    }

    /// Use of lines after ``OutputLines/releaseSafely()``: a programming error, said plainly.
    static let alreadyReleased = HardwareError(
        "the GPIO lines were already released: they must be opened again (GPIO.open) before they are driven")

    /// `strerror` text with the number, for the log.
    static func describe(errno code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }

    /// The device node `[gpio] chip` stands for when it is a number, a `/dev` path or a name that
    /// exists under `/dev`; `nil` for a chip label (any chip may carry it).
    static func devicePath(for chip: String) -> String? {
        if !chip.isEmpty, chip.allSatisfy({ $0.isASCII && $0.isNumber }) { return "/dev/gpiochip\(chip)" }
        if chip.hasPrefix("/dev/") { return chip }
        let candidate = "/dev/\(chip)"
        if chip.hasPrefix("gpiochip") || access(candidate, F_OK) == 0 { return candidate }
        return nil
    }

    /// The GPIO chip device nodes present, sorted.
    static func chipDevices() -> [String] {
        guard let directory = opendir("/dev") else { return [] }
        defer { closedir(directory) }
        var found: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasPrefix("gpiochip") { found.append("/dev/\(name)") }
        }
        return found.sorted()
    }
}
