#if LIBGPIOD_V2
// libgpiod 2.x (v2 API, libgpiod.so.3: Debian 13, Raspberry Pi OS trixie, Debian 12 with
// bookworm-backports) as a thin call table under the one drive/release skeleton (KernelGPIO,
// KernelOutputLines). In a v2 build the only Swift file that imports CGPIOD; no OpaquePointer leaves
// the Devices module's libgpiod types. Same messages as 1.x (GPIOMessage); the one difference is
// where the remote input is debounced: here the kernel does it.
import EdgeIO
import BMSCore
import CGPIOD
import Config
import Glibc

/// One requested line: a v2 line request holding exactly one offset. Each line has a request of
/// its own (as in the 1.x backend), so a refusal names the one line that was refused.
struct GPIOD2Line: HeldLine {
    fileprivate let request: OpaquePointer
    let offset: UInt32

    func write(on: Bool) -> Int32? {
        let value = on ? GPIOD_LINE_VALUE_ACTIVE : GPIOD2Chip.off
        return gpiod_line_request_set_value(request, offset, value) == 0 ? nil : errno
    }

    func read() -> LineLevelRead {
        let value = gpiod_line_request_get_value(request, offset)
        if value == GPIOD_LINE_VALUE_ERROR { return .failed(errno: errno) }
        return value == GPIOD2Chip.off ? .off : .on
    }

    /// Gives the line back to the kernel. Called once by the owner.
    func release() { gpiod_line_request_release(request) }
}

/// An open chip, used while lines are looked up and requested: a v2 line request has a descriptor
/// of its own and outlives the chip handle, which closes as soon as the lines are requested.
final class GPIOD2Chip: LibgpiodChip {
    private let pointer: OpaquePointer
    /// The kernel's name (`gpiochip0`), whatever `[gpio] chip` said: the name gpioinfo takes.
    let name: String
    let lineCount: Int

    init(_ descriptor: String) throws(HardwareError) {
        guard !descriptor.isEmpty else { throw GPIOMessage.chipOpenFailed(descriptor, errno: ENOENT) }
        let (opened, code) = GPIOD2Chip.lookup(descriptor)
        guard let chip = opened else {
            throw GPIOMessage.chipOpenFailed(descriptor, errno: code == 0 ? ENOENT : code)
        }
        guard let info = gpiod_chip_get_info(chip) else {
            let code = errno
            gpiod_chip_close(chip)
            throw GPIOMessage.chipOpenFailed(descriptor, errno: code == 0 ? ENODEV : code)
        }
        defer { gpiod_chip_info_free(info) }
        pointer = chip
        name = gpiod_chip_info_get_name(info).map { String(cString: $0) } ?? descriptor
        lineCount = gpiod_chip_info_get_num_lines(info)
    }

    deinit { gpiod_chip_close(pointer) }

    /// libgpiod 2 has no `gpiod_chip_open_lookup`; this takes the same forms as 1.x's: a number
    /// (`0` is /dev/gpiochip0), a /dev path, a name under /dev (`gpiochip0`), or a chip label.
    /// A name is tried before labels (1.x tried labels first), so a chip that is named is opened
    /// without opening all the others; the outcome differs only if one chip's label were another's
    /// device name. The errno is the one left by the attempt that decides, as with 1.x.
    private static func lookup(_ descriptor: String) -> (OpaquePointer?, Int32) {
        if descriptor.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard let number = UInt(descriptor) else { return (nil, ENOENT) }
            return openPath("/dev/gpiochip\(number)")
        }
        if descriptor.hasPrefix("/dev/") { return openPath(descriptor) }
        let byName = openPath("/dev/\(descriptor)")
        if byName.0 != nil || byName.1 != ENOENT { return byName }
        // A label: open each chip and compare. Chips this user cannot open are skipped; the
        // "not found" message then says which ones could not be read (GPIOMessage.chipOpenFailed).
        for path in GPIOMessage.chipDevices() {
            guard let chip = gpiod_chip_open(path) else { continue }
            if let info = gpiod_chip_get_info(chip) {
                let matches = gpiod_chip_info_get_label(info).map { String(cString: $0) == descriptor } ?? false
                gpiod_chip_info_free(info)
                if matches { return (chip, 0) }
            }
            gpiod_chip_close(chip)
        }
        return (nil, ENOENT)
    }

    private static func openPath(_ path: String) -> (OpaquePointer?, Int32) {
        errno = 0
        let chip = gpiod_chip_open(path)
        return (chip, chip == nil ? errno : 0)
    }

    /// The offset a selector names on this chip.
    func offset(of selector: LineSelector, key: String) throws(HardwareError) -> UInt32 {
        switch selector {
        case .offset(let offset):
            guard offset >= 0, offset < lineCount else {
                throw GPIOMessage.offsetOutOfRange(offset, key: key, chip: name, lineCount: lineCount)
            }
            return UInt32(offset)
        case .name(let lineName):
            errno = 0
            let offset = gpiod_chip_get_line_offset_from_name(pointer, lineName)
            guard offset >= 0 else {
                if errno == ENOENT || errno == 0 {
                    throw GPIOMessage.lineNotFound(lineName, key: key, chip: name)
                }
                let code = errno
                throw HardwareError(
                    "cannot look up line \(selector) (\(key)) on \(name): \(HardwareError.describe(errno: code)): "
                        + "check the chip with gpioinfo \(name)",
                    errno: code)
            }
            return UInt32(offset)
        }
    }

    /// Requests an output with its OFF value: the kernel sets direction and value in one step,
    /// so the line is never ON, not even between request and first write.
    func requestOutputOff(
        _ output: Output, _ configuration: OutputLineConfiguration, consumer: String
    ) throws(HardwareError) -> GPIOD2Line {
        let key = GPIOMessage.key(output)
        let offset = try offset(of: configuration.line, key: key)
        return try request(offset, selector: configuration.line, key: key, consumer: consumer, bias: nil) { settings in
            gpiod_line_settings_set_active_low(settings, configuration.activeLow)
            return gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_OUTPUT) == 0
                && gpiod_line_settings_set_output_value(settings, GPIOD2Chip.off) == 0
        }
    }

    func requestRemoteInput(
        _ remote: RemoteConfiguration, outputs: KernelOutputLines<GPIOD2Line>, consumer: String
    ) throws(HardwareError) -> any RemoteInput {
        try GPIOD2RemoteInput(chip: self, remote: remote, outputs: outputs, consumer: consumer)
    }

    /// Requests the remote input: both edges, the configured bias and active-low, and the kernel's
    /// debounce (a level counts once it has held for the period; edge events and values follow it).
    func requestRemoteInput(_ remote: RemoteConfiguration, offset: UInt32, consumer: String)
        throws(HardwareError) -> GPIOD2Line
    {
        let bias: gpiod_line_bias
        switch remote.bias {
        case .pullUp: bias = GPIOD_LINE_BIAS_PULL_UP
        case .pullDown: bias = GPIOD_LINE_BIAS_PULL_DOWN
        case .disabled: bias = GPIOD_LINE_BIAS_DISABLED
        case .asIs: bias = GPIOD_LINE_BIAS_AS_IS
        }
        let period = UInt(max(0, remote.debounceMilliseconds)) * 1000
        return try request(offset, selector: remote.line, key: GPIOMessage.remoteKey, consumer: consumer, bias: remote.bias)
        { settings in
            gpiod_line_settings_set_active_low(settings, remote.activeLow)
            gpiod_line_settings_set_debounce_period_us(settings, period)
            return gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_INPUT) == 0
                && gpiod_line_settings_set_edge_detection(settings, GPIOD_LINE_EDGE_BOTH) == 0
                && gpiod_line_settings_set_bias(settings, bias) == 0
        }
    }

    /// One line request for one offset; `configure` fills in the settings (false: refused).
    private func request(
        _ offset: UInt32, selector: LineSelector, key: String, consumer: String, bias: LineBias?,
        configure: (OpaquePointer) -> Bool
    ) throws(HardwareError) -> GPIOD2Line {
        func failed(_ code: Int32) -> HardwareError {
            var holder: String?
            if code == EBUSY, let info = gpiod_chip_get_line_info(pointer, offset) {
                holder = gpiod_line_info_get_consumer(info).map { String(cString: $0) }
                gpiod_line_info_free(info)
            }
            return GPIOMessage.requestFailed(
                selector, key: key, chip: name, errno: code, consumer: holder, ownConsumer: consumer, bias: bias)
        }
        guard let settings = gpiod_line_settings_new() else { throw failed(errno) }
        defer { gpiod_line_settings_free(settings) }
        errno = 0
        guard configure(settings) else { throw failed(errno == 0 ? EINVAL : errno) }
        guard let lineConfig = gpiod_line_config_new() else { throw failed(errno) }
        defer { gpiod_line_config_free(lineConfig) }
        var offsets = [offset]
        guard gpiod_line_config_add_line_settings(lineConfig, &offsets, 1, settings) == 0 else { throw failed(errno) }
        guard let requestConfig = gpiod_request_config_new() else { throw failed(errno) }
        defer { gpiod_request_config_free(requestConfig) }
        gpiod_request_config_set_consumer(requestConfig, consumer)
        errno = 0
        guard let request = gpiod_chip_request_lines(pointer, requestConfig, lineConfig) else {
            throw failed(errno == 0 ? EIO : errno)
        }
        return GPIOD2Line(request: request, offset: offset)
    }

    /// Logical OFF (inactive). With active-low the kernel inverts it, so OFF is always this value.
    static let off = GPIOD_LINE_VALUE_INACTIVE
}

/// The remote input on a libgpiod 2.x chip: both edges, the configured bias and active-low,
/// debounced by the kernel (`gpiod_line_settings_set_debounce_period_us`), so the request's own
/// descriptor is the one the daemon polls: it turns readable only when the debounced level
/// changed, and the value read is the debounced one. (libgpiod 1 needs ``DebouncedInput`` for this.)
final class GPIOD2RemoteInput: RemoteInput {
    private let chipName: String
    private let selector: LineSelector
    private let line: GPIOD2Line
    private let events: OpaquePointer
    private var released = false

    let eventDescriptor: Int32

    /// Up to the kernel's per-line event FIFO (16) per read; only the level matters, not the events.
    private static let eventCapacity = 16

    init(
        chip: GPIOD2Chip, remote: RemoteConfiguration, outputs: KernelOutputLines<GPIOD2Line>?, consumer: String
    ) throws(HardwareError) {
        let offset = try chip.offset(of: remote.line, key: GPIOMessage.remoteKey)
        if let output = outputs?.output(atOffset: offset) {
            throw GPIOMessage.remoteSharesLine(remote.line, with: output, chip: chip.name)
        }
        guard let buffer = gpiod_edge_event_buffer_new(GPIOD2RemoteInput.eventCapacity) else {
            let code = errno
            throw HardwareError(
                "cannot allocate the remote input's event buffer: \(HardwareError.describe(errno: code))", errno: code)
        }
        do throws(HardwareError) {
            line = try chip.requestRemoteInput(remote, offset: offset, consumer: consumer)
        } catch {
            gpiod_edge_event_buffer_free(buffer)
            throw error
        }
        events = buffer
        chipName = chip.name
        selector = remote.line
        eventDescriptor = gpiod_line_request_get_fd(line.request)
    }

    deinit { release() }

    func drainEvents() throws(HardwareError) {
        guard !released else { throw GPIOMessage.alreadyReleased }
        try EdgeEventDrain.drain(eventDescriptor, selector: selector, chip: chipName) {
            gpiod_line_request_read_edge_events(line.request, events, GPIOD2RemoteInput.eventCapacity)
        }
    }

    func isOn() throws(HardwareError) -> Bool {
        guard !released else { throw GPIOMessage.alreadyReleased }
        let value = gpiod_line_request_get_value(line.request, line.offset)
        guard value != GPIOD_LINE_VALUE_ERROR else {
            throw GPIOMessage.remoteReadFailed(selector, chip: chipName, errno: errno)
        }
        return value == GPIOD_LINE_VALUE_ACTIVE
    }

    func release() {
        guard !released else { return }
        released = true
        line.release()
        gpiod_edge_event_buffer_free(events)
    }
}
#endif
