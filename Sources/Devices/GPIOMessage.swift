import EdgeIO
import Glibc
import BMSCore
import Config

/// The wording of GPIO failures, shared by every backend: each says what failed, where, and what
/// the installer should check. Kept apart from the libgpiod calls so that both generations give the
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
                "cannot open GPIO chip \"\(chip)\": \(HardwareError.describe(errno: code)): check [gpio] chip and that the "
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
                "cannot request line \(line) (\(key)) on \(chip): \(HardwareError.describe(errno: code)): check the line with "
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
                + "\(HardwareError.describe(errno: code)): check the chip and its wiring (gpioinfo \(chip))",
            errno: code)
    }

    /// A read-back that did not show OFF (or could not be read) after driving OFF.
    static func notConfirmedOff(_ output: Output, line: LineSelector, chip: String, errno code: Int32?)
        -> HardwareError
    {
        let why = code.map { "cannot read it back: \(HardwareError.describe(errno: $0))" } ?? "it reads back ON"
        return HardwareError(
            "\(output.displayName) on line \(line) (\(key(output))) of \(chip) was driven OFF but \(why): "
                + "check the line with gpioinfo \(chip) and the external stage",
            errno: code)
    }

    /// Reading the remote input failed.
    static func remoteReadFailed(_ line: LineSelector, chip: String, errno code: Int32) -> HardwareError {
        HardwareError(
            "cannot read the remote input on line \(line) (\(remoteKey)) of \(chip): \(HardwareError.describe(errno: code)): "
                + "check the chip (gpioinfo \(chip)); the outputs stay OFF while remote is unknown",
            errno: code)
    }

    /// Use of lines after ``OutputLines/releaseSafely()``: a programming error, said plainly.
    static let alreadyReleased = HardwareError(
        "the GPIO lines were already released: they must be opened again (GPIO.open) before they are driven")

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
