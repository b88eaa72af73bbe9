#if !LIBGPIOD_V2
// libgpiod 1.x (v1 API, libgpiod.so.2: Debian 12, older Raspberry Pi OS) as a thin call table under
// the one drive/release skeleton (KernelGPIO, KernelOutputLines). In a v1 build the only Swift file
// that imports CGPIOD; no OpaquePointer leaves the Devices module's libgpiod types.
import EdgeIO
import BMSCore
import CGPIOD
import Config
import Glibc

/// An open chip. Shared by the output lines and the remote input, and closed when the last of
/// them is gone: `gpiod_chip_close` also releases any line still held, without driving it OFF,
/// so it must come after both have released theirs.
final class GPIOD1Chip: LibgpiodChip {
    let pointer: OpaquePointer
    /// The kernel's name (`gpiochip0`), whatever `[gpio] chip` said: the name gpioinfo takes.
    let name: String
    let lineCount: Int

    init(_ descriptor: String) throws(HardwareError) {
        // gpiod_chip_open_lookup reads "" as the number 0 and would open gpiochip0.
        guard !descriptor.isEmpty else { throw GPIOMessage.chipOpenFailed(descriptor, errno: ENOENT) }
        errno = 0
        guard let chip = gpiod_chip_open_lookup(descriptor) else {
            let code = errno
            throw GPIOMessage.chipOpenFailed(descriptor, errno: code == 0 ? ENOENT : code)
        }
        pointer = chip
        name = gpiod_chip_name(chip).map { String(cString: $0) } ?? descriptor
        lineCount = Int(gpiod_chip_num_lines(chip))
    }

    deinit { gpiod_chip_close(pointer) }

    /// The line a selector names (not yet requested).
    func line(_ selector: LineSelector, key: String) throws(HardwareError) -> OpaquePointer {
        switch selector {
        case .offset(let offset):
            guard offset >= 0, offset < lineCount else {
                throw GPIOMessage.offsetOutOfRange(offset, key: key, chip: name, lineCount: lineCount)
            }
            guard let line = gpiod_chip_get_line(pointer, UInt32(offset)) else {
                throw lookupFailed(selector, key: key)
            }
            return line
        case .name(let lineName):
            errno = 0
            guard let line = gpiod_chip_find_line(pointer, lineName) else {
                if errno == ENOENT || errno == 0 {
                    throw GPIOMessage.lineNotFound(lineName, key: key, chip: name)
                }
                throw lookupFailed(selector, key: key)
            }
            return line
        }
    }

    /// Requests an output with its OFF value: the kernel sets direction and value in one step,
    /// so the line is never ON, not even between request and first write.
    func requestOutputOff(
        _ output: Output, _ configuration: OutputLineConfiguration, consumer: String
    ) throws(HardwareError) -> GPIOD1Line {
        let key = GPIOMessage.key(output)
        let line = try line(configuration.line, key: key)
        let flags = configuration.activeLow ? Int32(GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) : 0
        guard gpiod_line_request_output_flags(line, consumer, flags, GPIOD1Chip.off) == 0 else {
            throw requestFailed(line, configuration.line, key: key, consumer: consumer)
        }
        return GPIOD1Line(chip: self, pointer: line)
    }

    func requestRemoteInput(
        _ remote: RemoteConfiguration, outputs: KernelOutputLines<GPIOD1Line>, consumer: String
    ) throws(HardwareError) -> any RemoteInput {
        try GPIOD1RemoteInput(chip: self, remote: remote, outputs: outputs, consumer: consumer)
    }

    /// The error for a refused request, naming the current holder when the kernel reports one.
    func requestFailed(
        _ line: OpaquePointer, _ selector: LineSelector, key: String, consumer: String, bias: LineBias? = nil
    ) -> HardwareError {
        let code = errno
        var holder: String?
        if code == EBUSY, gpiod_line_update(line) == 0, let name = gpiod_line_consumer(line) {
            holder = String(cString: name)
        }
        return GPIOMessage.requestFailed(
            selector, key: key, chip: name, errno: code, consumer: holder, ownConsumer: consumer, bias: bias)
    }

    private func lookupFailed(_ selector: LineSelector, key: String) -> HardwareError {
        let code = errno
        return HardwareError(
            "cannot look up line \(selector) (\(key)) on \(name): \(HardwareError.describe(errno: code)): "
                + "check the chip with gpioinfo \(name)",
            errno: code)
    }

    /// Logical OFF. With active-low the kernel inverts it, so OFF is always the value 0 here.
    static let off: Int32 = 0
}

/// A requested line of a libgpiod 1.x chip. Holds the chip: `gpiod_chip_close` also releases
/// any line still held, without driving it OFF, so the chip must outlive its lines.
struct GPIOD1Line: HeldLine {
    let chip: GPIOD1Chip
    let pointer: OpaquePointer

    var offset: UInt32 { gpiod_line_offset(pointer) }

    func write(on: Bool) -> Int32? {
        gpiod_line_set_value(pointer, on ? 1 : GPIOD1Chip.off) == 0 ? nil : errno
    }

    func read() -> LineLevelRead {
        let value = gpiod_line_get_value(pointer)
        if value < 0 { return .failed(errno: errno) }
        return value == GPIOD1Chip.off ? .off : .on
    }

    func release() { gpiod_line_release(pointer) }
}

/// The remote input on a libgpiod 1.x chip: both edges, the configured bias and active-low,
/// debounced in software (libgpiod 1 has no kernel debounce) by ``DebouncedInput``.
final class GPIOD1RemoteInput: RemoteInput {
    private let debounced: DebouncedInput

    var eventDescriptor: Int32 { debounced.notifyDescriptor }

    init(
        chip: GPIOD1Chip, remote: RemoteConfiguration, outputs: KernelOutputLines<GPIOD1Line>?, consumer: String
    ) throws(HardwareError) {
        let key = GPIOMessage.remoteKey
        let line = try chip.line(remote.line, key: key)
        if let output = outputs?.output(atOffset: gpiod_line_offset(line)) {
            throw GPIOMessage.remoteSharesLine(remote.line, with: output, chip: chip.name)
        }
        var flags: Int32 = remote.activeLow ? Int32(GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) : 0
        switch remote.bias {
        case .pullUp: flags |= Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP)
        case .pullDown: flags |= Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN)
        case .disabled: flags |= Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE)
        case .asIs: break
        }
        guard gpiod_line_request_both_edges_events_flags(line, consumer, flags) == 0 else {
            throw chip.requestFailed(line, remote.line, key: key, consumer: consumer, bias: remote.bias)
        }
        let edges = GPIOD1EdgeLine(chip: chip, line: line, selector: remote.line)
        do throws(HardwareError) {
            debounced = try DebouncedInput(
                source: edges, debounceMilliseconds: remote.debounceMilliseconds, label: "remote")
        } catch {
            edges.release()
            throw error
        }
    }

    deinit { debounced.release() }

    func drainEvents() throws(HardwareError) { try debounced.drainNotifications() }

    func isOn() throws(HardwareError) -> Bool { try debounced.level() }

    func release() { debounced.release() }
}

/// A requested event line as an ``EdgeSource``. Used only on the debouncer's queue.
final class GPIOD1EdgeLine: EdgeSource {
    private let chip: GPIOD1Chip
    private let line: OpaquePointer
    private let selector: LineSelector
    private var events = [gpiod_line_event](repeating: gpiod_line_event(), count: 16)
    private var released = false

    let edgeDescriptor: Int32

    init(chip: GPIOD1Chip, line: OpaquePointer, selector: LineSelector) {
        self.chip = chip
        self.line = line
        self.selector = selector
        self.edgeDescriptor = gpiod_line_event_get_fd(line)
    }

    func drainEdges() throws(HardwareError) {
        try EdgeEventDrain.drain(edgeDescriptor, selector: selector, chip: chip.name) {
            gpiod_line_event_read_multiple(line, &events, UInt32(events.count))
        }
    }

    func readLevel() throws(HardwareError) -> Bool {
        let value = gpiod_line_get_value(line)
        guard value >= 0 else { throw GPIOMessage.remoteReadFailed(selector, chip: chip.name, errno: errno) }
        return value == 1
    }

    func release() {
        guard !released else { return }
        released = true
        gpiod_line_release(line)
    }
}
#endif
